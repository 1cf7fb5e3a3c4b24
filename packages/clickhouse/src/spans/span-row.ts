import type { TNormalizedSpan } from "@spanlens/core";

/** A `spans` row as sent with JSONEachRow (column names as in 0002_spans.sql). */
export type TSpanRow = ReturnType<typeof toSpanRow>;

/** ClickHouse's basic DateTime64 text format, in UTC (the columns' time zone). */
export function toClickHouseTime(epochMs: number): string {
  return new Date(epochMs).toISOString().replace("T", " ").replace("Z", "");
}

const json = (value: unknown): string => JSON.stringify(value);
const jsonOrEmpty = (value: readonly unknown[]): string => (value.length > 0 ? JSON.stringify(value) : "");

/** Maps a normalized span to its row; the project comes from the API key, never the payload. */
export function toSpanRow(projectId: string, span: TNormalizedSpan) {
  const usage = span.usage;
  const cost = span.cost;
  const scores = [...span.retrievedDocuments, ...span.rerankedDocuments]
    .map((document) => document.score)
    .filter((score): score is number => score !== null && Number.isFinite(score));
  return {
    project_id: projectId,
    trace_id: span.traceId,
    span_id: span.spanId,
    parent_span_id: span.parentSpanId ?? "",
    start_time: toClickHouseTime(span.startTime),
    end_time: toClickHouseTime(span.endTime),
    duration_ms: span.durationMs,
    name: span.name,
    kind: span.kind,
    otel_kind: span.otelKind,
    scope_name: span.scopeName,
    scope_version: span.scopeVersion,
    trace_name: span.traceName ?? "",
    provider: span.provider ?? "",
    model: span.model ?? "",
    model_parameters: Object.keys(span.modelParameters).length > 0 ? json(span.modelParameters) : "",
    input: span.input ?? "",
    output: span.output ?? "",
    input_messages: jsonOrEmpty(span.inputMessages),
    output_messages: jsonOrEmpty(span.outputMessages),
    tool_calls: jsonOrEmpty(span.toolCalls),
    retrieval_query: span.retrievalQuery ?? "",
    retrieved_documents: jsonOrEmpty(span.retrievedDocuments),
    reranked_documents: jsonOrEmpty(span.rerankedDocuments),
    retrieval_top_score: span.retrievedDocuments.length > 0 && scores.length > 0 ? Math.max(...scores) : null,
    prompt_name: span.prompt?.name ?? "",
    prompt_version: span.prompt?.version ?? "",
    prompt_template: span.prompt?.template ?? "",
    prompt_variables: span.prompt && Object.keys(span.prompt.variables).length > 0 ? json(span.prompt.variables) : "",
    input_tokens: usage?.inputTokens ?? 0,
    output_tokens: usage?.outputTokens ?? 0,
    total_tokens: usage?.totalTokens ?? (usage ? (usage.inputTokens ?? 0) + (usage.outputTokens ?? 0) : 0),
    cache_read_tokens: usage?.cacheReadTokens ?? 0,
    cache_write_tokens: usage?.cacheWriteTokens ?? 0,
    reasoning_tokens: usage?.reasoningTokens ?? 0,
    usage_is_aggregate: usage?.isAggregate ? 1 : 0,
    cost_input: cost.input ?? 0,
    cost_output: cost.output ?? 0,
    cost_cache_read: cost.cacheRead ?? 0,
    cost_cache_write: cost.cacheWrite ?? 0,
    cost_reasoning: cost.reasoning ?? 0,
    cost_total: cost.total ?? 0,
    cost_source: cost.source,
    price_version: cost.priceVersion ?? "",
    session_id: span.sessionId ?? "",
    user_id: span.userId ?? "",
    tags: span.tags,
    metadata: span.metadata,
    environment: span.environment ?? "",
    release: span.release ?? "",
    service_name: span.serviceName ?? "",
    status_code: span.statusCode,
    status_message: span.statusMessage ?? "",
    error_type: span.error?.type ?? "",
    error_message: span.error?.message ?? "",
    error_stacktrace: span.error?.stacktrace ?? "",
    events: jsonOrEmpty(span.events),
    links: jsonOrEmpty(span.links),
    attributes: span.attributes,
    resource_attributes: span.resourceAttributes,
    conventions: span.conventions,
    scores: jsonOrEmpty(span.scores),
  };
}

/** An `ingest_receipts` row: one per stored OTLP request, for usage metering. */
export interface TIngestRequestRow {
  project_id: string;
  request_id: string;
  received_at: string;
  span_count: number;
  bytes: number;
}
