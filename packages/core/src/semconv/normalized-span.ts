/** What a span is for, whichever convention said so. */
export const SPAN_KINDS = [
  "generation",
  "embedding",
  "retrieval",
  "rerank",
  "tool",
  "agent",
  "chain",
  "guardrail",
  "evaluator",
  "span",
] as const;
export type TSpanKind = (typeof SPAN_KINDS)[number];

/** Conventions the normalizer recognises on a span (several may apply at once). */
export const CONVENTIONS = [
  "spanlens",
  "otel-genai",
  "otel-genai-legacy",
  "openinference",
  "openllmetry",
  "langfuse",
  "vercel-ai",
] as const;
export type TConvention = (typeof CONVENTIONS)[number];

export type TOtelSpanKind = "unspecified" | "internal" | "server" | "client" | "producer" | "consumer";
export type TStatusCode = "unset" | "ok" | "error";
export type TModelParameterValue = string | number | boolean | string[];

export interface TToolCall {
  id: string | null;
  name: string;
  /** JSON text as sent (structured arguments are stringified). */
  arguments: string | null;
}

export interface TMessage {
  role: string;
  /** Text parts joined by newlines; structured tool results are JSON text. */
  content: string | null;
  toolCalls?: TToolCall[];
  toolCallId?: string;
  finishReason?: string;
  /** Parts that are neither text nor tool calls (reasoning, blobs, uris), as a JSON array. */
  otherParts?: string;
}

export interface TRetrievedDocument {
  id: string | null;
  content: string | null;
  score: number | null;
  metadata: Record<string, string>;
  /** 1-based position in the list as sent. */
  rank: number;
}

export interface TPromptReference {
  name: string | null;
  version: string | null;
  template: string | null;
  variables: Record<string, string>;
}

/** Disjoint token buckets: they add up to the tokens billed, each priced once. */
export interface TUsageBuckets {
  uncachedInput: number;
  cacheRead: number;
  cacheWrite: number;
  /** Output tokens that are not reasoning tokens. */
  output: number;
  reasoning: number;
}

export interface TNormalizedUsage extends TUsageBuckets {
  /** Counts in OTel GenAI meaning: input includes cached tokens, output includes reasoning. */
  inputTokens: number | null;
  outputTokens: number | null;
  totalTokens: number | null;
  cacheReadTokens: number | null;
  cacheWriteTokens: number | null;
  reasoningTokens: number | null;
  /**
   * True when the span is not itself a model call (agent, chain, Vercel `ai.generateText`):
   * its counts roll up its children, so trace totals must skip it.
   */
  isAggregate: boolean;
}

export type TCostSource = "reported" | "computed" | "none";

export interface TNormalizedCost {
  input: number | null;
  output: number | null;
  cacheRead: number | null;
  cacheWrite: number | null;
  reasoning: number | null;
  total: number | null;
  currency: "USD";
  source: TCostSource;
  priceVersion?: string;
}

export interface TSpanError {
  type: string | null;
  message: string | null;
  stacktrace: string | null;
}

export interface TSpanEventRecord {
  name: string;
  /** Epoch milliseconds. */
  time: number;
  /** JSON object text. */
  attributes: string;
}

export interface TSpanLinkRecord {
  traceId: string;
  spanId: string;
  attributes: string;
}

export type TScoreScope = "span" | "trace" | "session";

/** A score found on the wire: an OTLP evaluation log record or an OpenInference annotation. */
export interface TNormalizedScore {
  traceId: string;
  /** The evaluated span; null when the score targets the whole trace. */
  spanId: string | null;
  name: string;
  value: number | null;
  label: string | null;
  comment: string | null;
  scope: TScoreScope;
  source: "otlp" | "openinference";
}

/** One span in Spanlens' own terms, whichever conventions the exporter used. */
export interface TNormalizedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  name: string;
  kind: TSpanKind;
  otelKind: TOtelSpanKind;
  /** Set only when this span names its trace (`langfuse.trace.name`); root-name fallback is the writer's. */
  traceName: string | null;
  /** Epoch milliseconds (floored); `durationMs` keeps the sub-millisecond part. */
  startTime: number;
  endTime: number;
  durationMs: number;
  scopeName: string;
  scopeVersion: string;
  provider: string | null;
  model: string | null;
  modelParameters: Record<string, TModelParameterValue>;
  input: string | null;
  output: string | null;
  inputMessages: TMessage[];
  outputMessages: TMessage[];
  toolCalls: TToolCall[];
  retrievalQuery: string | null;
  retrievedDocuments: TRetrievedDocument[];
  rerankedDocuments: TRetrievedDocument[];
  prompt: TPromptReference | null;
  usage: TNormalizedUsage | null;
  cost: TNormalizedCost;
  sessionId: string | null;
  userId: string | null;
  tags: string[];
  metadata: Record<string, string>;
  environment: string | null;
  release: string | null;
  serviceName: string | null;
  statusCode: TStatusCode;
  statusMessage: string | null;
  error: TSpanError | null;
  events: TSpanEventRecord[];
  scores: TNormalizedScore[];
  links: TSpanLinkRecord[];
  /** Every span attribute no mapping consumed; non-string values as JSON text. */
  attributes: Record<string, string>;
  resourceAttributes: Record<string, string>;
  conventions: TConvention[];
}
