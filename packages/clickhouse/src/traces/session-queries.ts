import type { ClickHouseClient } from "@clickhouse/client";
import { toClickHouseTime } from "../spans/span-row.js";
import { FEEDBACK_SCORE_NAMES, TRACE_EXPRESSIONS } from "./trace-filter.js";
import { listTraces, type TTraceSummary } from "./trace-queries.js";

const e = TRACE_EXPRESSIONS;

export interface TGroupWindow {
  projectId: string;
  from: Date;
  to: Date;
  limit: number;
}

export interface TSessionSummary {
  sessionId: string;
  traceCount: number;
  userIds: string[];
  firstSeen: string;
  lastSeen: string;
  totalTokens: number;
  totalCost: number;
  errorTraceCount: number;
  positiveFeedback: number;
  negativeFeedback: number;
}

export interface TUserSummary {
  userId: string;
  traceCount: number;
  sessionCount: number;
  firstSeen: string;
  lastSeen: string;
  totalTokens: number;
  totalCost: number;
  errorTraceCount: number;
  positiveFeedback: number;
  negativeFeedback: number;
}

interface TGroupRow {
  group_key: string;
  trace_count: string | number;
  distinct_count: string | number;
  related: string[];
  first_seen: string;
  last_seen: string;
  total_tokens: string | number;
  total_cost: number;
  error_traces: string | number;
  positive: string | number;
  negative: string | number;
}

const iso = (text: string) => new Date(`${text.replace(" ", "T")}Z`).toISOString();

/**
 * Traces of the window grouped by session or user, with feedback counts joined from the
 * scores table, in two queries. The first picks the groups to show and their trace ids
 * from cheap per-trace columns; the second merges token, cost and error states and reads
 * feedback for just those traces, by id, so both tables prune by primary key.
 */
async function listTraceGroups(
  client: ClickHouseClient,
  window: TGroupWindow,
  groupBy: "session" | "user",
): Promise<TGroupRow[]> {
  const key = groupBy === "session" ? "session_id" : "user_id";
  const other = groupBy === "session" ? "user_id" : "session_id";
  const params = {
    projectId: window.projectId,
    from: toClickHouseTime(window.from.getTime()),
    to: toClickHouseTime(window.to.getTime()),
    limit: window.limit,
  };
  const groupsResult = await client.query({
    query: `
      SELECT ${key} AS group_key, groupArray(trace_id) AS trace_ids
      FROM (
        SELECT trace_id, ${e.traceStart} AS trace_start, ${e.sessionId} AS session_id, ${e.userId} AS user_id
        FROM traces
        WHERE project_id = {projectId:String}
          AND day >= toDate({from:DateTime64(3)}) - 1 AND day <= toDate({to:DateTime64(3)}) + 1
        GROUP BY trace_id
        HAVING trace_start >= {from:DateTime64(3)} AND trace_start < {to:DateTime64(3)} AND ${key} IS NOT NULL
      )
      GROUP BY group_key
      ORDER BY ${groupBy === "session" ? "max(trace_start)" : "count()"} DESC, group_key
      LIMIT {limit:UInt32}`,
    query_params: params,
    format: "JSONEachRow",
  });
  const groups = await groupsResult.json<{ group_key: string; trace_ids: string[] }>();
  if (groups.length === 0) return [];
  const result = await client.query({
    query: `
      WITH per_trace AS (
        SELECT trace_id,
               ${e.traceStart} AS trace_start,
               ${e.sessionId} AS session_id,
               ${e.userId} AS user_id,
               ${e.totalTokens} AS tokens,
               ${e.totalCost} AS cost,
               ${e.errorCount} AS errors
        FROM traces
        WHERE project_id = {projectId:String}
          AND day >= toDate({from:DateTime64(3)}) - 1 AND day <= toDate({to:DateTime64(3)}) + 1
          AND trace_id IN {traceIds:Array(String)}
        GROUP BY trace_id
      ), feedback AS (
        SELECT trace_id,
               countIf(value > 0 OR (value IS NULL AND lower(label) IN ('positive', 'thumbs_up', 'up', 'good'))) AS positive,
               countIf(value <= 0 OR (value IS NULL AND lower(label) IN ('negative', 'thumbs_down', 'down', 'bad'))) AS negative
        FROM scores FINAL
        PREWHERE project_id = {projectId:String} AND trace_id IN {traceIds:Array(String)}
        WHERE is_deleted = 0 AND name IN {feedbackNames:Array(String)}
        GROUP BY trace_id
      )
      SELECT assumeNotNull(p.${key}) AS group_key,
             count() AS trace_count,
             uniqExact(p.${other}) AS distinct_count,
             arraySlice(groupUniqArray(assumeNotNull(p.${other})), 1, 5) AS related,
             min(p.trace_start) AS first_seen,
             max(p.trace_start) AS last_seen,
             sum(p.tokens) AS total_tokens,
             sum(p.cost) AS total_cost,
             countIf(p.errors > 0) AS error_traces,
             sum(f.positive) AS positive,
             sum(f.negative) AS negative
      FROM per_trace AS p LEFT JOIN feedback AS f ON f.trace_id = p.trace_id
      GROUP BY group_key`,
    query_params: {
      ...params,
      traceIds: groups.flatMap((group) => group.trace_ids),
      feedbackNames: [...FEEDBACK_SCORE_NAMES],
    },
    format: "JSONEachRow",
  });
  const byKey = new Map((await result.json<TGroupRow>()).map((row) => [row.group_key, row]));
  return groups.flatMap((group) => byKey.get(group.group_key) ?? []);
}

/** Sessions active in the window, most recent first. */
export async function listSessions(client: ClickHouseClient, window: TGroupWindow): Promise<TSessionSummary[]> {
  const rows = await listTraceGroups(client, window, "session");
  return rows.map((row) => ({
    sessionId: row.group_key,
    traceCount: Number(row.trace_count),
    userIds: [...row.related].sort(),
    firstSeen: iso(row.first_seen),
    lastSeen: iso(row.last_seen),
    totalTokens: Number(row.total_tokens),
    totalCost: row.total_cost,
    errorTraceCount: Number(row.error_traces),
    positiveFeedback: Number(row.positive),
    negativeFeedback: Number(row.negative),
  }));
}

/** Users active in the window, by volume. */
export async function listUsers(client: ClickHouseClient, window: TGroupWindow): Promise<TUserSummary[]> {
  const rows = await listTraceGroups(client, window, "user");
  return rows.map((row) => ({
    userId: row.group_key,
    traceCount: Number(row.trace_count),
    sessionCount: Number(row.distinct_count),
    firstSeen: iso(row.first_seen),
    lastSeen: iso(row.last_seen),
    totalTokens: Number(row.total_tokens),
    totalCost: row.total_cost,
    errorTraceCount: Number(row.error_traces),
    positiveFeedback: Number(row.positive),
    negativeFeedback: Number(row.negative),
  }));
}

export interface TSessionTurn {
  trace: TTraceSummary;
  /** The root span's input and output, cut to 4,000 characters. */
  input: string | null;
  output: string | null;
}

/** A conversation: the session's traces oldest first, each with its root input and output. */
export async function getSessionTurns(
  client: ClickHouseClient,
  window: { projectId: string; from: Date; to: Date; sessionId: string },
): Promise<TSessionTurn[]> {
  const { data } = await listTraces(client, { ...window, limit: 500, sortBy: "startTime", sortDir: "asc" });
  if (data.length === 0) return [];
  const result = await client.query({
    query: `SELECT trace_id, substring(input, 1, 4000) AS input, substring(output, 1, 4000) AS output
            FROM spans
            WHERE project_id = {projectId:String} AND trace_id IN {traceIds:Array(String)} AND parent_span_id = ''
              AND toDate(start_time) >= toDate({from:DateTime64(3)}) - 1 AND toDate(start_time) <= toDate({to:DateTime64(3)})
            ORDER BY start_time
            LIMIT 1 BY trace_id`,
    query_params: {
      projectId: window.projectId,
      traceIds: data.map((trace) => trace.traceId),
      from: toClickHouseTime(window.from.getTime()),
      to: toClickHouseTime(window.to.getTime()),
    },
    format: "JSONEachRow",
  });
  const roots = new Map(
    (await result.json<{ trace_id: string; input: string; output: string }>()).map((row) => [row.trace_id, row]),
  );
  return data.map((trace) => {
    const root = roots.get(trace.traceId);
    return { trace, input: root?.input || null, output: root?.output || null };
  });
}
