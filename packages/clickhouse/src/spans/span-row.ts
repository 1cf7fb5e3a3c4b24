import type { TNormalizedSpan } from "@spanlens/core";

/** A `spans` row as sent with JSONEachRow (column names as in 0002_spans.sql). */
export type TSpanRow = ReturnType<typeof toSpanRow>;

/** DateTime64's range: 1900-01-01 to 2299-12-31, in epoch milliseconds. */
const MIN_TIME_MS = Date.UTC(1900, 0, 1);
const MAX_TIME_MS = Date.UTC(2299, 11, 31, 23, 59, 59, 999);

/**
 * ClickHouse's basic DateTime64 text format, in UTC (the columns' time zone). A time outside
 * the type's range (an exporter's zero or garbage timestamp) is clamped into it: written as
 * is, it would fail the whole batch it is inserted with.
 */
export function toClickHouseTime(epochMs: number): string {
  const clamped = Number.isFinite(epochMs) ? Math.min(Math.max(epochMs, MIN_TIME_MS), MAX_TIME_MS) : 0;
  // Whole milliseconds, as a Date keeps them (truncated toward zero).
  const ms = Math.trunc(clamped);
  const day = Math.floor(ms / MS_PER_DAY);
  // The date is formatted once per day seen last; the time of day by hand. A Date and its ISO
  // text for every time took about a twentieth of the worker's CPU turning spans into rows,
  // twice per span (docs/benchmarks.md, twenty-eighth session).
  if (day !== lastDay.day) lastDay = { day, prefix: `${new Date(day * MS_PER_DAY).toISOString().slice(0, 10)} ` };
  const inDay = ms - day * MS_PER_DAY;
  const hours = Math.floor(inDay / 3_600_000);
  const minutes = Math.floor(inDay / 60_000) % 60;
  const seconds = Math.floor(inDay / 1000) % 60;
  return `${lastDay.prefix}${pad(hours, 2)}:${pad(minutes, 2)}:${pad(seconds, 2)}.${pad(inDay % 1000, 3)}`;
}

const MS_PER_DAY = 86_400_000;
let lastDay = { day: Number.NaN, prefix: "" };
const pad = (value: number, width: number): string => String(value).padStart(width, "0");

/**
 * A value for a UInt64 column: ClickHouse rejects a negative, fractional or non-finite one,
 * and with it every row of the insert, so such a value is written as 0. The normalizer
 * already drops counts that cannot be tokens; this guards every column the same way.
 */
export function toUInt(value: number | null | undefined): number {
  if (value === null || value === undefined || !Number.isFinite(value) || value <= 0) return 0;
  return Math.min(Math.round(value), Number.MAX_SAFE_INTEGER);
}

/** A value for a Float64 column: JSON has no NaN or infinity, and null fails a non-Nullable column. */
export function toFloat(value: number | null | undefined): number {
  return value !== null && value !== undefined && Number.isFinite(value) ? value : 0;
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
    duration_ms: toFloat(span.durationMs),
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
    input_tokens: toUInt(usage?.inputTokens),
    output_tokens: toUInt(usage?.outputTokens),
    total_tokens: toUInt(usage?.totalTokens ?? (usage ? (usage.inputTokens ?? 0) + (usage.outputTokens ?? 0) : 0)),
    cache_read_tokens: toUInt(usage?.cacheReadTokens),
    cache_write_tokens: toUInt(usage?.cacheWriteTokens),
    reasoning_tokens: toUInt(usage?.reasoningTokens),
    usage_is_aggregate: usage?.isAggregate ? 1 : 0,
    cost_input: toFloat(cost.input),
    cost_output: toFloat(cost.output),
    cost_cache_read: toFloat(cost.cacheRead),
    cost_cache_write: toFloat(cost.cacheWrite),
    cost_reasoning: toFloat(cost.reasoning),
    cost_total: toFloat(cost.total),
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
