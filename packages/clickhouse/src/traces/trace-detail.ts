import type { TRetrievedDocument } from "@spanlens/core";
import { type ClickHouseClient, isEmbeddedClient } from "../client.js";
import type { TSpanRow } from "../spans/span-row.js";

type TStoredSpanRow = TSpanRow & { ingested_at: string };

export interface TStoredScore {
  id: string;
  traceId: string;
  spanId: string | null;
  name: string;
  value: number | null;
  label: string | null;
  comment: string | null;
  source: string;
  timestamp: string;
}

const parseJson = <T>(text: string, fallback: T): T => (text === "" ? fallback : (JSON.parse(text) as T));
const orNull = (text: string): string | null => (text === "" ? null : text);
const isoTime = (text: string): string => new Date(Date.parse(`${text.replace(" ", "T")}Z`)).toISOString();

/** The trace view DTO for one span: the row with JSON columns parsed back to structures. */
export function toSpanDto(row: TStoredSpanRow) {
  return {
    traceId: row.trace_id,
    spanId: row.span_id,
    parentSpanId: orNull(row.parent_span_id),
    name: row.name,
    kind: row.kind,
    otelKind: row.otel_kind,
    startTime: isoTime(row.start_time),
    endTime: isoTime(row.end_time),
    durationMs: row.duration_ms,
    provider: orNull(row.provider),
    model: orNull(row.model),
    modelParameters: parseJson<Record<string, unknown>>(row.model_parameters, {}),
    input: orNull(row.input),
    output: orNull(row.output),
    inputMessages: parseJson<unknown[]>(row.input_messages, []),
    outputMessages: parseJson<unknown[]>(row.output_messages, []),
    toolCalls: parseJson<unknown[]>(row.tool_calls, []),
    retrievalQuery: orNull(row.retrieval_query),
    retrievedDocuments: parseJson<TRetrievedDocument[]>(row.retrieved_documents, []),
    rerankedDocuments: parseJson<TRetrievedDocument[]>(row.reranked_documents, []),
    prompt:
      row.prompt_name || row.prompt_template
        ? {
            name: orNull(row.prompt_name),
            version: orNull(row.prompt_version),
            template: orNull(row.prompt_template),
            variables: parseJson<Record<string, string>>(row.prompt_variables, {}),
          }
        : null,
    usage: {
      inputTokens: Number(row.input_tokens),
      outputTokens: Number(row.output_tokens),
      totalTokens: Number(row.total_tokens),
      cacheReadTokens: Number(row.cache_read_tokens),
      cacheWriteTokens: Number(row.cache_write_tokens),
      reasoningTokens: Number(row.reasoning_tokens),
      isAggregate: Number(row.usage_is_aggregate) === 1,
    },
    cost: {
      input: row.cost_input,
      output: row.cost_output,
      cacheRead: row.cost_cache_read,
      cacheWrite: row.cost_cache_write,
      reasoning: row.cost_reasoning,
      total: row.cost_total,
      source: row.cost_source,
      priceVersion: orNull(row.price_version),
    },
    sessionId: orNull(row.session_id),
    userId: orNull(row.user_id),
    tags: row.tags,
    metadata: row.metadata,
    environment: orNull(row.environment),
    release: orNull(row.release),
    serviceName: orNull(row.service_name),
    statusCode: row.status_code,
    statusMessage: orNull(row.status_message),
    error:
      row.error_type || row.error_message
        ? { type: orNull(row.error_type), message: orNull(row.error_message), stacktrace: orNull(row.error_stacktrace) }
        : null,
    events: parseJson<unknown[]>(row.events, []),
    links: parseJson<unknown[]>(row.links, []),
    attributes: row.attributes,
    resourceAttributes: row.resource_attributes,
    conventions: row.conventions,
  };
}

export type TSpanDto = ReturnType<typeof toSpanDto>;

/**
 * The trace's spans in order: all of them, or, read in pages (see {@link streamTraceSpans}),
 * up to `limit` after a keyset cursor.
 */
const traceSpansQuery = (page: { afterCursor: boolean } | null) => `SELECT * FROM spans FINAL
  WHERE project_id = {projectId:String} AND trace_id = {traceId:String}${
    page?.afterCursor ? " AND (start_time, span_id) > ({afterStart:DateTime64(3, 'UTC')}, {afterSpanId:String})" : ""
  }
  ORDER BY start_time, span_id${page ? " LIMIT {limit:UInt32}" : ""}`;

/** What a page of spans read from the embedded engine aims at, in characters of rows. */
export const EMBEDDED_TRACE_PAGE_CHARS = 32 * 2 ** 20;
const FIRST_PAGE_SPANS = 200;
const MIN_PAGE_SPANS = 50;
const MAX_PAGE_SPANS = 10_000;

export interface TStreamTraceSpansOptions {
  /**
   * Read in keyset pages of about this many characters of rows, whatever the engine (a test
   * sets a small size to read many pages), or with null in one query. Unset: pages of
   * {@link EMBEDDED_TRACE_PAGE_CHARS} from the embedded engine, one query from a server.
   */
  pageChars?: number | null;
}

/**
 * Every stored span of a trace, oldest first, one at a time as the engine's rows arrive.
 * FINAL collapses rows a redelivery wrote twice that merges have not folded yet; the
 * trace-id bloom filter keeps it to a few granules. A reply that streams these holds one
 * span at a time instead of the whole trace several times over (its rows, their objects,
 * the reply's text): an agent's trace of thousands of spans with long prompts reaches
 * hundreds of megabytes.
 *
 * The embedded engine hands over a query's whole result at once ({@link isEmbeddedClient}),
 * so from it the spans are read in pages by `(start_time, span_id)`, each page sized from
 * the rows of the one before to about {@link EMBEDDED_TRACE_PAGE_CHARS}. Each page reads the
 * trace's granules again (they are sorted by span id, not time), which is why pages are large
 * rather than a few spans: a 181 MB trace took 0.9–1.1 times as long as in one query, with the
 * process's peak RSS ~1.2 GB lower (docs/benchmarks.md, "The trace reply streamed"). Spans
 * stored while the pages are read appear if they sort after the page being read, never twice.
 */
export async function* streamTraceSpans(
  client: ClickHouseClient,
  projectId: string,
  traceId: string,
  options: TStreamTraceSpansOptions = {},
): AsyncGenerator<TSpanDto> {
  const pageChars =
    options.pageChars === undefined ? (isEmbeddedClient(client) ? EMBEDDED_TRACE_PAGE_CHARS : null) : options.pageChars;
  let after: { afterStart: string; afterSpanId: string } | null = null;
  let limit = FIRST_PAGE_SPANS;
  for (;;) {
    const result = await client.query({
      query: traceSpansQuery(pageChars === null ? null : { afterCursor: after !== null }),
      query_params: pageChars === null ? { projectId, traceId } : { projectId, traceId, limit, ...after },
      format: "JSONEachRow",
    });
    let count = 0;
    let chars = 0;
    let last: TStoredSpanRow | undefined;
    for await (const rows of result.stream<TStoredSpanRow>()) {
      for (const row of rows) {
        chars += row.text.length;
        count += 1;
        const parsed = row.json();
        last = parsed;
        yield toSpanDto(parsed);
      }
    }
    if (pageChars === null || count < limit || last === undefined) return;
    after = { afterStart: last.start_time, afterSpanId: last.span_id };
    limit = Math.min(MAX_PAGE_SPANS, Math.max(MIN_PAGE_SPANS, Math.floor(pageChars / (chars / count))));
  }
}

/** Every stored span of a trace, oldest first, and its scores, in memory; null when it has no spans. */
export async function getTrace(
  client: ClickHouseClient,
  projectId: string,
  traceId: string,
): Promise<{ spans: TSpanDto[]; scores: TStoredScore[] } | null> {
  const collect = async () => {
    const spans: TSpanDto[] = [];
    for await (const span of streamTraceSpans(client, projectId, traceId)) spans.push(span);
    return spans;
  };
  const [spans, scores] = await Promise.all([collect(), listScoresOfTrace(client, projectId, traceId)]);
  return spans.length === 0 ? null : { spans, scores };
}

/** One span of the trace tree: timing, identity and headline numbers, no payloads. */
export interface TSpanNode {
  spanId: string;
  parentSpanId: string | null;
  name: string;
  kind: string;
  startTime: string;
  endTime: string;
  durationMs: number;
  model: string | null;
  totalTokens: number;
  costTotal: number;
  isError: boolean;
  errorType: string | null;
}

/** Trace-level facts folded from its spans, for the trace page header. */
export interface TTraceHeader {
  name: string;
  startTime: string;
  endTime: string;
  durationMs: number;
  spanCount: number;
  errorCount: number;
  totalTokens: number;
  totalCost: number;
  sessionId: string | null;
  userId: string | null;
  environment: string | null;
  release: string | null;
  tags: string[];
}

export interface TKpiEvent {
  id: string;
  name: string;
  value: number;
  sessionId: string | null;
  userId: string | null;
  timestamp: string;
}

/**
 * The trace's tree without payload columns: on a 10,000-span trace the payloads are
 * megabytes, so the trace page loads them per span (`getSpan`) when one is opened.
 */
export async function getTraceTree(
  client: ClickHouseClient,
  projectId: string,
  traceId: string,
): Promise<{ trace: TTraceHeader; spans: TSpanNode[]; scores: TStoredScore[] } | null> {
  const params = { projectId, traceId };
  const [spanResult, scores] = await Promise.all([
    client.query({
      query: `SELECT span_id, parent_span_id, name, kind, start_time, end_time, duration_ms, model,
                     if(usage_is_aggregate = 1, 0, total_tokens) AS tokens,
                     if(usage_is_aggregate = 1, 0, cost_total) AS cost, status_code, error_type,
                     trace_name, session_id, user_id, environment, release, tags
              FROM spans FINAL
              WHERE project_id = {projectId:String} AND trace_id = {traceId:String}
              ORDER BY start_time, span_id`,
      query_params: params,
      format: "JSONEachRow",
    }),
    listScoresOfTrace(client, projectId, traceId),
  ]);
  const rows = await spanResult.json<{
    span_id: string;
    parent_span_id: string;
    name: string;
    kind: string;
    start_time: string;
    end_time: string;
    duration_ms: number;
    model: string;
    tokens: number | string;
    cost: number;
    status_code: string;
    error_type: string;
    trace_name: string;
    session_id: string;
    user_id: string;
    environment: string;
    release: string;
    tags: string[];
  }>();
  if (rows.length === 0) return null;
  const spans = rows.map(
    (row): TSpanNode => ({
      spanId: row.span_id,
      parentSpanId: orNull(row.parent_span_id),
      name: row.name,
      kind: row.kind,
      startTime: isoTime(row.start_time),
      endTime: isoTime(row.end_time),
      durationMs: row.duration_ms,
      model: orNull(row.model),
      totalTokens: Number(row.tokens),
      costTotal: row.cost,
      isError: row.status_code === "error",
      errorType: orNull(row.error_type),
    }),
  );
  const firstSet = (pick: (row: (typeof rows)[number]) => string) =>
    orNull(rows.map(pick).find((value) => value !== "") ?? "");
  const root = spans.find((span) => span.parentSpanId === null) ?? spans[0];
  const startMs = spans.reduce((min, span) => Math.min(min, Date.parse(span.startTime)), Number.POSITIVE_INFINITY);
  const endMs = spans.reduce((max, span) => Math.max(max, Date.parse(span.endTime)), 0);
  return {
    trace: {
      name: firstSet((row) => row.trace_name) ?? root?.name ?? "",
      startTime: new Date(startMs).toISOString(),
      endTime: new Date(endMs).toISOString(),
      durationMs: endMs - startMs,
      spanCount: spans.length,
      errorCount: spans.filter((span) => span.isError).length,
      totalTokens: spans.reduce((sum, span) => sum + span.totalTokens, 0),
      totalCost: spans.reduce((sum, span) => sum + span.costTotal, 0),
      sessionId: firstSet((row) => row.session_id),
      userId: firstSet((row) => row.user_id),
      environment: firstSet((row) => row.environment),
      release: firstSet((row) => row.release),
      tags: [...new Set(rows.flatMap((row) => row.tags))].sort(),
    },
    spans,
    scores,
  };
}

/** One span with every payload, for the span detail panel. */
export async function getSpan(
  client: ClickHouseClient,
  projectId: string,
  traceId: string,
  spanId: string,
): Promise<TSpanDto | null> {
  const result = await client.query({
    query: `SELECT * FROM spans FINAL
            WHERE project_id = {projectId:String} AND trace_id = {traceId:String} AND span_id = {spanId:String}
            LIMIT 1`,
    query_params: { projectId, traceId, spanId },
    format: "JSONEachRow",
  });
  const [row] = await result.json<TStoredSpanRow>();
  return row ? toSpanDto(row) : null;
}

/** The scores of a trace, oldest first, deleted annotations left out. */
export async function listScoresOfTrace(
  client: ClickHouseClient,
  projectId: string,
  traceId: string,
): Promise<TStoredScore[]> {
  const result = await client.query({
    query: `SELECT id, trace_id, span_id, name, value, label, comment, source, timestamp FROM scores FINAL
            WHERE project_id = {projectId:String} AND trace_id = {traceId:String} AND is_deleted = 0
            ORDER BY timestamp, id`,
    query_params: { projectId, traceId },
    format: "JSONEachRow",
  });
  const rows = await result.json<{
    id: string;
    trace_id: string;
    span_id: string;
    name: string;
    value: number | null;
    label: string;
    comment: string;
    source: string;
    timestamp: string;
  }>();
  return rows.map(
    (row): TStoredScore => ({
      id: row.id,
      traceId: row.trace_id,
      spanId: orNull(row.span_id),
      name: row.name,
      value: row.value,
      label: orNull(row.label),
      comment: orNull(row.comment),
      source: row.source,
      timestamp: isoTime(row.timestamp),
    }),
  );
}

/** KPI events linked to the trace directly, or through its session. */
export async function listTraceKpiEvents(
  client: ClickHouseClient,
  projectId: string,
  traceId: string,
  sessionId: string | null,
): Promise<TKpiEvent[]> {
  const result = await client.query({
    query: `SELECT id, name, value, session_id, user_id, timestamp FROM kpi_events FINAL
            WHERE project_id = {projectId:String}
              AND (trace_id = {traceId:String} OR (session_id != '' AND session_id = {sessionId:String}))
            ORDER BY timestamp, id LIMIT 200`,
    query_params: { projectId, traceId, sessionId: sessionId ?? "" },
    format: "JSONEachRow",
  });
  const rows = await result.json<{
    id: string;
    name: string;
    value: number;
    session_id: string;
    user_id: string;
    timestamp: string;
  }>();
  return rows.map((row) => ({
    id: row.id,
    name: row.name,
    value: row.value,
    sessionId: orNull(row.session_id),
    userId: orNull(row.user_id),
    timestamp: isoTime(row.timestamp),
  }));
}
