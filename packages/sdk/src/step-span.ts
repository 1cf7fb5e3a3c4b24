import { type Attributes, type AttributeValue, type Span, SpanStatusCode } from "@opentelemetry/api";
import { ATTR, toAttributeText } from "./attributes.js";
import { type TChatMessage, type TGenAiMessage, toGenAiMessage, toGenAiMessages } from "./messages.js";

/** Errors that already have an exception event, so enclosing steps only mark their status. */
const recordedErrors = new WeakSet<object>();

/** Remembers that `error` has its exception event. */
export function markRecorded(error: unknown): void {
  if (typeof error === "object" && error !== null) recordedErrors.add(error);
}

export function isRecorded(error: unknown): boolean {
  return typeof error === "object" && error !== null && recordedErrors.has(error);
}

/** One retrieved or reranked document. */
export interface TDocument {
  id: string;
  content?: string;
  score?: number;
  metadata?: Record<string, string | number | boolean>;
}

export interface TRetrievalInput {
  query: string;
  documents: readonly TDocument[];
}

export interface TRerankInput {
  query: string;
  model?: string;
  topK?: number;
  inputDocuments: readonly TDocument[];
  outputDocuments: readonly TDocument[];
}

export interface TPromptInput {
  name: string;
  version?: string;
  template?: string;
  variables?: Record<string, unknown>;
}

export interface TUsageInput {
  /** Input tokens including cached ones (GenAI meaning). */
  inputTokens?: number;
  outputTokens?: number;
  cacheReadTokens?: number;
  cacheWriteTokens?: number;
  reasoningTokens?: number;
}

export interface TModelParameters {
  temperature?: number;
  maxTokens?: number;
  topP?: number;
  topK?: number;
  seed?: number;
  stopSequences?: string[];
  frequencyPenalty?: number;
  presencePenalty?: number;
}

export interface TGenerationInput {
  /** `openai`, `anthropic`, … (`gen_ai.provider.name`). */
  provider?: string;
  model: string;
  /** The model the provider says answered (a dated snapshot of the alias asked for). */
  responseModel?: string;
  responseId?: string;
  parameters?: TModelParameters;
  /** System prompt kept apart from the messages, as GenAI does. */
  systemInstructions?: string;
  inputMessages?: ReadonlyArray<TChatMessage | TGenAiMessage>;
  /** The completion text, or full output messages. */
  output?: string | ReadonlyArray<TChatMessage | TGenAiMessage>;
  finishReason?: string;
  usage?: TUsageInput;
}

export interface TToolCallInput {
  name: string;
  id?: string;
  description?: string;
  arguments?: unknown;
  result?: unknown;
}

const PARAMETER_KEYS: Record<keyof TModelParameters, string> = {
  temperature: "gen_ai.request.temperature",
  maxTokens: "gen_ai.request.max_tokens",
  topP: "gen_ai.request.top_p",
  topK: "gen_ai.request.top_k",
  seed: "gen_ai.request.seed",
  stopSequences: "gen_ai.request.stop_sequences",
  frequencyPenalty: "gen_ai.request.frequency_penalty",
  presencePenalty: "gen_ai.request.presence_penalty",
};

function documentRecord(document: TDocument) {
  return {
    id: document.id,
    ...(document.content !== undefined ? { content: document.content } : {}),
    ...(document.score !== undefined ? { score: document.score } : {}),
    ...(document.metadata ? { metadata: document.metadata } : {}),
  };
}

/** Flattened OpenInference document keys: the only rerank convention backends read. */
function rerankDocumentAttributes(prefix: string, documents: readonly TDocument[]): Attributes {
  const attributes: Attributes = {};
  documents.forEach((document, index) => {
    const key = `${prefix}.${index}.document`;
    attributes[`${key}.id`] = document.id;
    if (document.content !== undefined) attributes[`${key}.content`] = document.content;
    if (document.score !== undefined) attributes[`${key}.score`] = document.score;
    if (document.metadata) attributes[`${key}.metadata`] = JSON.stringify(document.metadata);
  });
  return attributes;
}

/**
 * A pipeline step's span with semantic setters. Every setter writes standard attributes
 * on the underlying OTel span (`otelSpan`), so any OTel backend can read them.
 */
export class StepSpan {
  #hasOutput = false;

  constructor(readonly otelSpan: Span) {}

  /** Whether the step recorded an output already (the step helper then keeps it). */
  get hasOutput(): boolean {
    return this.#hasOutput;
  }

  get traceId(): string {
    return this.otelSpan.spanContext().traceId;
  }

  get spanId(): string {
    return this.otelSpan.spanContext().spanId;
  }

  setAttribute(key: string, value: AttributeValue): this {
    this.otelSpan.setAttribute(key, value);
    return this;
  }

  setAttributes(attributes: Attributes): this {
    this.otelSpan.setAttributes(attributes);
    return this;
  }

  /** The step's input; objects are stored as JSON. */
  setInput(value: unknown): this {
    this.otelSpan.setAttribute(ATTR.input, toAttributeText(value));
    if (typeof value !== "string") this.otelSpan.setAttribute(ATTR.inputMimeType, "application/json");
    return this;
  }

  /** The step's output; objects are stored as JSON. */
  setOutput(value: unknown): this {
    this.#hasOutput = true;
    this.otelSpan.setAttribute(ATTR.output, toAttributeText(value));
    if (typeof value !== "string") this.otelSpan.setAttribute(ATTR.outputMimeType, "application/json");
    return this;
  }

  /** The query and the documents a retriever returned, in rank order, with their scores. */
  setRetrieval(retrieval: TRetrievalInput): this {
    this.otelSpan.setAttributes({
      [ATTR.retrievalQuery]: retrieval.query,
      [ATTR.retrievalDocuments]: JSON.stringify(retrieval.documents.map(documentRecord)),
    });
    return this;
  }

  setRerank(rerank: TRerankInput): this {
    this.otelSpan.setAttributes({
      [ATTR.spanKind]: "rerank",
      [ATTR.rerankerQuery]: rerank.query,
      ...(rerank.model ? { [ATTR.rerankerModel]: rerank.model } : {}),
      ...(rerank.topK !== undefined ? { [ATTR.rerankerTopK]: rerank.topK } : {}),
      ...rerankDocumentAttributes("reranker.input_documents", rerank.inputDocuments),
      ...rerankDocumentAttributes("reranker.output_documents", rerank.outputDocuments),
    });
    return this;
  }

  /** Which prompt template (and version) produced the messages, with the values filled in. */
  setPrompt(prompt: TPromptInput): this {
    this.otelSpan.setAttributes({
      [ATTR.promptName]: prompt.name,
      ...(prompt.version !== undefined ? { [ATTR.promptVersion]: prompt.version } : {}),
      ...(prompt.template !== undefined ? { [ATTR.promptTemplate]: prompt.template } : {}),
      ...(prompt.variables
        ? {
            [ATTR.promptVariables]: JSON.stringify(
              Object.fromEntries(Object.entries(prompt.variables).map(([key, value]) => [key, toAttributeText(value)])),
            ),
          }
        : {}),
    });
    return this;
  }

  setUsage(usage: TUsageInput): this {
    const entries: [string, number | undefined][] = [
      [ATTR.inputTokens, usage.inputTokens],
      [ATTR.outputTokens, usage.outputTokens],
      [ATTR.cacheReadTokens, usage.cacheReadTokens],
      [ATTR.cacheWriteTokens, usage.cacheWriteTokens],
      [ATTR.reasoningTokens, usage.reasoningTokens],
    ];
    for (const [key, value] of entries) if (value !== undefined) this.otelSpan.setAttribute(key, value);
    return this;
  }

  /** A model call: model, parameters, messages in and out, usage. */
  setGeneration(generation: TGenerationInput): this {
    const span = this.otelSpan;
    span.setAttributes({ [ATTR.operationName]: "chat", [ATTR.requestModel]: generation.model });
    if (generation.provider) span.setAttribute(ATTR.providerName, generation.provider);
    if (generation.responseModel) span.setAttribute(ATTR.responseModel, generation.responseModel);
    if (generation.responseId) span.setAttribute(ATTR.responseId, generation.responseId);
    for (const [name, value] of Object.entries(generation.parameters ?? {})) {
      const key = PARAMETER_KEYS[name as keyof TModelParameters];
      if (key && value !== undefined) span.setAttribute(key, value);
    }
    if (generation.systemInstructions !== undefined)
      span.setAttribute(
        ATTR.systemInstructions,
        JSON.stringify([{ type: "text", content: generation.systemInstructions }]),
      );
    if (generation.inputMessages)
      span.setAttribute(ATTR.inputMessages, JSON.stringify(toGenAiMessages(generation.inputMessages)));
    if (generation.output !== undefined) this.setOutputMessages(generation.output, generation.finishReason);
    if (generation.finishReason) span.setAttribute(ATTR.finishReasons, [generation.finishReason]);
    if (generation.usage) this.setUsage(generation.usage);
    return this;
  }

  setOutputMessages(output: string | ReadonlyArray<TChatMessage | TGenAiMessage>, finishReason?: string): this {
    const messages =
      typeof output === "string"
        ? [toGenAiMessage({ role: "assistant", content: output }, finishReason)]
        : output.map((message, index) =>
            toGenAiMessage(message, index === output.length - 1 ? finishReason : undefined),
          );
    this.otelSpan.setAttribute(ATTR.outputMessages, JSON.stringify(messages));
    return this;
  }

  /** A tool the pipeline executed, with its arguments and result. */
  setToolCall(call: TToolCallInput): this {
    this.otelSpan.setAttributes({
      [ATTR.operationName]: "execute_tool",
      [ATTR.toolName]: call.name,
      ...(call.id ? { [ATTR.toolCallId]: call.id } : {}),
      ...(call.description ? { [ATTR.toolDescription]: call.description } : {}),
      ...(call.arguments !== undefined ? { [ATTR.toolCallArguments]: toAttributeText(call.arguments) } : {}),
      ...(call.result !== undefined ? { [ATTR.toolCallResult]: toAttributeText(call.result) } : {}),
    });
    return this;
  }

  /**
   * Marks the step failed: an OTel `exception` event (type, message, stack) carrying
   * `context` as `spanlens.error.context.*`, `error.type`, and an error status.
   */
  recordError(error: unknown, context: Record<string, unknown> = {}): this {
    const isError = error instanceof Error;
    const type = isError ? error.name || error.constructor.name : typeof error;
    const message = isError ? error.message : String(error);
    const attributes: Attributes = {
      "exception.type": type,
      "exception.message": message,
      ...(isError && error.stack ? { "exception.stacktrace": error.stack } : {}),
    };
    for (const [key, value] of Object.entries(context)) {
      attributes[`${ATTR.errorContextPrefix}${key}`] = toAttributeText(value);
    }
    this.otelSpan.addEvent("exception", attributes);
    this.otelSpan.setAttribute(ATTR.errorType, type);
    this.otelSpan.setStatus({ code: SpanStatusCode.ERROR, message });
    markRecorded(error);
    return this;
  }
}
