import type { ClickHouseClient } from "@clickhouse/client";
import { AppError } from "@spanlens/core";
import { toClickHouseTime } from "../spans/span-row.js";

export interface TTraceListFilter {
  projectId: string;
  from: Date;
  to: Date;
  name?: string | undefined;
  /** Every tag must be present on the trace. */
  tags?: string[] | undefined;
  userId?: string | undefined;
  sessionId?: string | undefined;
  limit: number;
  cursor?: string | undefined;
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

/** Keyset cursor: the last row's start time and trace id, so pages never skip or repeat. */
export function encodeTraceCursor(startTime: string, traceId: string): string {
  return Buffer.from(JSON.stringify([startTime, traceId])).toString("base64url");
}

export function decodeTraceCursor(cursor: string): { startTime: string; traceId: string } {
  try {
    const [startTime, traceId] = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as unknown[];
    const isTime = typeof startTime === "string" && !Number.isNaN(Date.parse(startTime));
    if (isTime && typeof traceId === "string" && /^[0-9a-f]{32}$/.test(traceId)) {
      return { startTime, traceId };
    }
  } catch {
    // fall through to the error below
  }
  throw new AppError("BAD_REQUEST", "cursor: not a cursor returned by this endpoint");
}

/**
 * Lists traces from the rollup. The `day` range prunes by primary key (one day of slack
 * before `from` for traces whose spans cross midnight); HAVING applies the exact window
 * and every filter to the merged trace, so a filter on a value carried by any span of the
 * trace matches the whole trace.
 */
export async function listTraces(
  client: ClickHouseClient,
  filter: TTraceListFilter,
): Promise<{ data: TTraceSummary[]; nextCursor: string | null }> {
  const having = ["trace_start >= {from:DateTime64(3)}", "trace_start < {to:DateTime64(3)}"];
  const params: Record<string, unknown> = {
    projectId: filter.projectId,
    from: toClickHouseTime(filter.from.getTime()),
    to: toClickHouseTime(filter.to.getTime()),
    limit: filter.limit + 1,
  };
  if (filter.name) {
    having.push("name = {name:String}");
    params.name = filter.name;
  }
  if (filter.tags && filter.tags.length > 0) {
    having.push("hasAll(tags, {tags:Array(String)})");
    params.tags = filter.tags;
  }
  if (filter.userId) {
    having.push("user_id = {userId:String}");
    params.userId = filter.userId;
  }
  if (filter.sessionId) {
    having.push("session_id = {sessionId:String}");
    params.sessionId = filter.sessionId;
  }
  if (filter.cursor) {
    const cursor = decodeTraceCursor(filter.cursor);
    having.push("(trace_start, trace_id) < ({cursorTime:DateTime64(3)}, {cursorTraceId:String})");
    params.cursorTime = toClickHouseTime(Date.parse(cursor.startTime));
    params.cursorTraceId = cursor.traceId;
  }
  const result = await client.query({
    query: `
      SELECT
        trace_id,
        min(start_time) AS trace_start,
        max(end_time) AS trace_end,
        coalesce(anyLast(trace_name), anyLast(root_name), '') AS name,
        uniqExactMerge(span_ids) AS span_count,
        uniqExactMerge(error_span_ids) AS error_count,
        arraySum(mapValues(maxMapMerge(tokens))) AS total_tokens,
        arraySum(mapValues(maxMapMerge(cost))) AS total_cost,
        anyLast(user_id) AS user_id,
        anyLast(session_id) AS session_id,
        anyLast(environment) AS environment,
        anyLast(release) AS release,
        groupUniqArrayArray(tags) AS tags,
        groupUniqArrayArray(models) AS models
      FROM traces
      WHERE project_id = {projectId:String}
        AND day >= toDate({from:DateTime64(3)}) - 1 AND day <= toDate({to:DateTime64(3)})
      GROUP BY trace_id
      HAVING ${having.join(" AND ")}
      ORDER BY trace_start DESC, trace_id DESC
      LIMIT {limit:UInt32}`,
    query_params: params,
    format: "JSONEachRow",
  });
  const rows = await result.json<TTraceListRow>();
  const page = rows.slice(0, filter.limit).map(toTraceSummary);
  const last = page.at(-1);
  return {
    data: page,
    nextCursor: rows.length > filter.limit && last ? encodeTraceCursor(last.startTime, last.traceId) : null,
  };
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
