import type { ClickHouseClient } from "@clickhouse/client";
import { AppError } from "@spanlens/core";
import { toClickHouseTime } from "../spans/span-row.js";
import { buildTraceFilterSql, TRACE_EXPRESSIONS, type TTraceFilter } from "./trace-filter.js";

export const TRACE_SORT_FIELDS = ["startTime", "durationMs", "totalCost", "totalTokens", "spanCount"] as const;
export type TTraceSortField = (typeof TRACE_SORT_FIELDS)[number];
export type TSortDirection = "asc" | "desc";

export interface TTraceListFilter extends TTraceFilter {
  limit: number;
  cursor?: string | undefined;
  /** Default: newest first. */
  sortBy?: TTraceSortField | undefined;
  sortDir?: TSortDirection | undefined;
}

export interface TTraceSummary {
  traceId: string;
  name: string;
  /** ISO 8601, UTC. */
  startTime: string;
  endTime: string;
  durationMs: number;
  spanCount: number;
  errorCount: number;
  totalTokens: number;
  totalCost: number;
  userId: string | null;
  sessionId: string | null;
  environment: string | null;
  release: string | null;
  tags: string[];
  models: string[];
}

interface TTraceListRow {
  trace_id: string;
  trace_start: string;
  trace_end: string;
  name: string;
  span_count: string | number;
  error_count: string | number;
  total_tokens: string | number;
  total_cost: number;
  user_id: string | null;
  session_id: string | null;
  environment: string | null;
  release: string | null;
  tags: string[];
  models: string[];
}

const e = TRACE_EXPRESSIONS;

/** Every sort key as a Float64, so one keyset comparison serves them all. */
const SORT_EXPRESSIONS: Record<TTraceSortField, string> = {
  startTime: `toFloat64(toUnixTimestamp64Milli(${e.traceStart}))`,
  durationMs: `toFloat64(${e.durationMs})`,
  totalCost: `toFloat64(${e.totalCost})`,
  totalTokens: `toFloat64(${e.totalTokens})`,
  spanCount: `toFloat64(${e.spanCount})`,
};

interface TTraceCursor {
  sortBy: TTraceSortField;
  sortDir: TSortDirection;
  value: number;
  traceId: string;
}

/** Keyset cursor: the last row's sort value and trace id, so pages never skip or repeat. */
export function encodeTraceCursor(cursor: TTraceCursor): string {
  return Buffer.from(JSON.stringify([cursor.sortBy, cursor.sortDir, cursor.value, cursor.traceId])).toString(
    "base64url",
  );
}

export function decodeTraceCursor(text: string, sortBy: TTraceSortField, sortDir: TSortDirection): TTraceCursor {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(text, "base64url").toString("utf8"));
  } catch {
    decoded = null;
  }
  if (Array.isArray(decoded)) {
    const [cursorSort, cursorDir, value, traceId] = decoded as unknown[];
    const isShape =
      typeof value === "number" &&
      Number.isFinite(value) &&
      typeof traceId === "string" &&
      /^[0-9a-f]{32}$/.test(traceId);
    if (isShape && cursorSort === sortBy && cursorDir === sortDir) return { sortBy, sortDir, value, traceId };
    if (isShape)
      throw new AppError("BAD_REQUEST", "cursor: belongs to a different sort order; start from the first page");
  }
  throw new AppError("BAD_REQUEST", "cursor: not a cursor returned by this endpoint");
}

interface TPageRow {
  trace_id: string;
  sort_value: number;
  start_ms: number;
}

const DAY_MS = 24 * 3600 * 1000;

/**
 * A large IN-set on `trace_id` (a score or span subquery) makes ClickHouse analyze the
 * primary key against every value, which cost 4x the query itself in the benchmark; the
 * day range already prunes, so the set is only used to filter rows.
 */
const LIST_SETTINGS = { use_index_for_in_with_subqueries: 0 } as const;

/**
 * Lists traces from the rollup in two steps. The first groups the window's traces and
 * computes only what the filters and the sort key need, keeping the page's trace ids; the
 * second computes the full row (span counts, token and cost maps) for just those ids.
 * Merging `uniqExact` and `maxMap` states is the expensive part of the rollup, so this
 * keeps a 7-day list on millions of spans proportional to the page, not the window.
 *
 * Sorted by time (the default), the first step walks the window in slices from the
 * sorted end (1 day, then 7, then the rest) and stops once a page is full: a 7-day list
 * on a busy project then reads one or two days of the rollup instead of eight.
 */
export async function listTraces(
  client: ClickHouseClient,
  filter: TTraceListFilter,
): Promise<{ data: TTraceSummary[]; nextCursor: string | null }> {
  const sortBy = filter.sortBy ?? "startTime";
  const sortDir = filter.sortDir ?? "desc";
  const cursor = filter.cursor ? decodeTraceCursor(filter.cursor, sortBy, sortDir) : null;
  let from = filter.from.getTime();
  let to = filter.to.getTime();
  if (cursor && sortBy === "startTime") {
    // Rows after the cursor start no later (desc) or no earlier (asc) than its time.
    if (sortDir === "desc") to = Math.min(to, cursor.value + 1);
    else from = Math.max(from, cursor.value);
  }
  const slices: [number, number][] = [];
  if (sortBy === "startTime") {
    let edge = sortDir === "desc" ? to : from;
    for (const width of [DAY_MS, 6 * DAY_MS, Number.POSITIVE_INFINITY]) {
      if (sortDir === "desc") {
        const sliceFrom = Math.max(from, edge - width);
        if (sliceFrom < edge) slices.push([sliceFrom, edge]);
        edge = sliceFrom;
      } else {
        const sliceTo = Math.min(to, edge + width);
        if (edge < sliceTo) slices.push([edge, sliceTo]);
        edge = sliceTo;
      }
    }
  } else if (from < to) {
    slices.push([from, to]);
  }
  const pageRows: TPageRow[] = [];
  for (const [sliceFrom, sliceTo] of slices) {
    const wanted = filter.limit + 1 - pageRows.length;
    if (wanted <= 0) break;
    pageRows.push(
      ...(await findPageRows(
        client,
        { ...filter, from: new Date(sliceFrom), to: new Date(sliceTo) },
        {
          sortBy,
          sortDir,
          cursor,
          limit: wanted,
        },
      )),
    );
  }
  const page = pageRows.slice(0, filter.limit);
  const starts = page.map((row) => row.start_ms);
  const summaries =
    page.length === 0
      ? []
      : await summarizeTraces(
          client,
          filter.projectId,
          new Date(Math.min(...starts)),
          new Date(Math.max(...starts)),
          page.map((row) => row.trace_id),
        );
  const byId = new Map(summaries.map((summary) => [summary.traceId, summary]));
  const data = page.flatMap((row) => byId.get(row.trace_id) ?? []);
  const last = page.at(-1);
  return {
    data,
    nextCursor:
      pageRows.length > filter.limit && last
        ? encodeTraceCursor({ sortBy, sortDir, value: last.sort_value, traceId: last.trace_id })
        : null,
  };
}

async function findPageRows(
  client: ClickHouseClient,
  filter: TTraceFilter,
  page: { sortBy: TTraceSortField; sortDir: TSortDirection; cursor: TTraceCursor | null; limit: number },
): Promise<TPageRow[]> {
  const { where, having, params } = buildTraceFilterSql(filter);
  const sortExpression = SORT_EXPRESSIONS[page.sortBy];
  if (page.cursor) {
    having.push(
      `(${sortExpression}, trace_id) ${page.sortDir === "desc" ? "<" : ">"} ({cursorValue:Float64}, {cursorTraceId:String})`,
    );
    params.cursorValue = page.cursor.value;
    params.cursorTraceId = page.cursor.traceId;
  }
  const direction = page.sortDir === "desc" ? "DESC" : "ASC";
  const result = await client.query({
    query: `
      SELECT trace_id, ${sortExpression} AS sort_value, toUnixTimestamp64Milli(${e.traceStart}) AS start_ms
      FROM traces
      WHERE ${where.join(" AND ")}
      GROUP BY trace_id
      HAVING ${having.join(" AND ")}
      ORDER BY sort_value ${direction}, trace_id ${direction}
      LIMIT {limit:UInt32}`,
    query_params: { ...params, limit: page.limit },
    clickhouse_settings: LIST_SETTINGS,
    format: "JSONEachRow",
  });
  return (await result.json<{ trace_id: string; sort_value: number; start_ms: number | string }>()).map((row) => ({
    trace_id: row.trace_id,
    sort_value: row.sort_value,
    start_ms: Number(row.start_ms),
  }));
}

/**
 * Full rows for known trace ids that started between `from` and `to` (inclusive), read
 * from `spans` rather than the rollup: for a page of traces this reads a few granules of
 * plain columns, where the rollup would deserialize every granule's span-id, token and
 * cost states (measured 18 ms against 65 ms for 50 traces at 10M spans). The aggregates
 * are the rollup's own: distinct span ids, and per-span maxima so a redelivered span is
 * counted once. Spans up to a day after `to` belong to traces that ran past midnight.
 *
 * No span of these traces starts before `from`, the earliest trace start, so the bound on
 * `start_time` itself (not only its day) is exact. It lets the partition's min-max index
 * skip every part that holds only earlier spans: the parts that merges leave standing are
 * mostly today's, and a page of recent traces then reads the newest of them instead of
 * all (docs/benchmarks.md, eighteenth session).
 */
export async function summarizeTraces(
  client: ClickHouseClient,
  projectId: string,
  from: Date,
  to: Date,
  traceIds: string[],
): Promise<TTraceSummary[]> {
  if (traceIds.length === 0) return [];
  const result = await client.query({
    query: `
      SELECT
        trace_id,
        min(start_time) AS trace_start,
        max(end_time) AS trace_end,
        coalesce(anyLastIf(toNullable(trace_name), trace_name != ''), anyLastIf(toNullable(name), parent_span_id = ''), '') AS name,
        uniqExact(span_id) AS span_count,
        uniqExactIf(span_id, status_code = 'error') AS error_count,
        arraySum(mapValues(maxMap(map(span_id, if(usage_is_aggregate = 1, 0, total_tokens))))) AS total_tokens,
        arraySum(mapValues(maxMap(map(span_id, if(usage_is_aggregate = 1, 0, cost_total))))) AS total_cost,
        anyLastIf(toNullable(user_id), user_id != '') AS user_id,
        anyLastIf(toNullable(session_id), session_id != '') AS session_id,
        anyLastIf(toNullable(toString(environment)), environment != '') AS environment,
        anyLastIf(toNullable(release), release != '') AS release,
        groupUniqArrayArray(tags) AS tags,
        groupUniqArrayIf(toString(model), model != '') AS models
      FROM spans
      WHERE project_id = {projectId:String}
        AND toDate(start_time) >= toDate({from:DateTime64(3)}) AND toDate(start_time) <= toDate({to:DateTime64(3)}) + 1
        AND start_time >= {from:DateTime64(3)}
        AND trace_id IN {traceIds:Array(String)}
      GROUP BY trace_id`,
    query_params: {
      projectId,
      from: toClickHouseTime(from.getTime()),
      to: toClickHouseTime(to.getTime()),
      traceIds,
    },
    format: "JSONEachRow",
  });
  return (await result.json<TTraceListRow>()).map(toTraceSummary);
}

function toTraceSummary(row: TTraceListRow): TTraceSummary {
  const startMs = Date.parse(`${row.trace_start}Z`);
  const endMs = Date.parse(`${row.trace_end}Z`);
  return {
    traceId: row.trace_id,
    name: row.name,
    startTime: new Date(startMs).toISOString(),
    endTime: new Date(endMs).toISOString(),
    durationMs: endMs - startMs,
    spanCount: Number(row.span_count),
    errorCount: Number(row.error_count),
    totalTokens: Number(row.total_tokens),
    totalCost: row.total_cost,
    userId: row.user_id,
    sessionId: row.session_id,
    environment: row.environment,
    release: row.release,
    tags: [...row.tags].sort(),
    models: [...row.models].sort(),
  };
}

/** Per-trace score summaries (average per score name) for a page of traces. */
export async function listTraceScoreSummaries(
  client: ClickHouseClient,
  projectId: string,
  traceIds: string[],
): Promise<Map<string, { name: string; average: number | null; count: number }[]>> {
  const byTrace = new Map<string, { name: string; average: number | null; count: number }[]>();
  if (traceIds.length === 0) return byTrace;
  const result = await client.query({
    query: `SELECT trace_id, name, avg(value) AS average, count() AS count
            FROM scores FINAL
            WHERE project_id = {projectId:String} AND trace_id IN {traceIds:Array(String)} AND is_deleted = 0
            GROUP BY trace_id, name ORDER BY trace_id, name`,
    query_params: { projectId, traceIds },
    format: "JSONEachRow",
  });
  for (const row of await result.json<{
    trace_id: string;
    name: string;
    average: number | null;
    count: number | string;
  }>()) {
    const list = byTrace.get(row.trace_id) ?? [];
    list.push({ name: row.name, average: Number.isFinite(row.average) ? row.average : null, count: Number(row.count) });
    byTrace.set(row.trace_id, list);
  }
  return byTrace;
}
