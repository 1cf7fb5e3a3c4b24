import type { ClickHouseClient } from "@clickhouse/client";
import { toClickHouseTime } from "../spans/span-row.js";
import { addTimestampKeysetConditions, encodeTimestampCursor } from "../timestamp-keyset.js";

export interface TKpiEventInsert {
  id: string;
  name: string;
  value: number;
  traceId: string | null;
  sessionId: string | null;
  userId: string | null;
  metadata: Record<string, string>;
  timestampMs: number;
}

export interface TKpiEventRecord {
  id: string;
  name: string;
  value: number;
  traceId: string | null;
  sessionId: string | null;
  userId: string | null;
  metadata: Record<string, string>;
  /** ISO 8601, UTC. */
  timestamp: string;
}

interface TKpiRow {
  id: string;
  name: string;
  value: number;
  trace_id: string;
  session_id: string;
  user_id: string;
  metadata: Record<string, string>;
  timestamp: string;
}

const orNull = (text: string): string | null => (text === "" ? null : text);
const isoTime = (text: string): string => new Date(Date.parse(`${text.replace(" ", "T")}Z`)).toISOString();
const KPI_COLUMNS = "id, name, value, trace_id, session_id, user_id, metadata, timestamp";

function toKpiEvent(row: TKpiRow): TKpiEventRecord {
  return {
    id: row.id,
    name: row.name,
    value: row.value,
    traceId: orNull(row.trace_id),
    sessionId: orNull(row.session_id),
    userId: orNull(row.user_id),
    metadata: row.metadata,
    timestamp: isoTime(row.timestamp),
  };
}

/**
 * Stores KPI events as they come; nothing is resolved at write time. Links to traces are
 * made when reading, so an event posted before its trace links as soon as the trace exists.
 */
export async function insertKpiEvents(client: ClickHouseClient, projectId: string, events: readonly TKpiEventInsert[]) {
  if (events.length === 0) return;
  await client.insert({
    table: "kpi_events",
    values: events.map((event) => ({
      project_id: projectId,
      id: event.id,
      name: event.name,
      value: event.value,
      trace_id: event.traceId ?? "",
      session_id: event.sessionId ?? "",
      user_id: event.userId ?? "",
      metadata: event.metadata,
      timestamp: toClickHouseTime(event.timestampMs),
    })),
    format: "JSONEachRow",
  });
}

export interface TKpiListFilter {
  projectId: string;
  name?: string | undefined;
  traceId?: string | undefined;
  sessionId?: string | undefined;
  userId?: string | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
  limit: number;
  cursor?: string | undefined;
}

/**
 * KPI events newest first. `traceFound` says whether the event's trace is stored now:
 * it turns true as soon as a late trace arrives, because it is computed on read.
 */
export async function listKpiEvents(
  client: ClickHouseClient,
  filter: TKpiListFilter,
): Promise<{ data: (TKpiEventRecord & { traceFound: boolean })[]; nextCursor: string | null }> {
  const where = ["project_id = {projectId:String}"];
  const params: Record<string, unknown> = { projectId: filter.projectId };
  const equals = { name: "name", traceId: "trace_id", sessionId: "session_id", userId: "user_id" } as const;
  addTimestampKeysetConditions(filter, equals, where, params);
  const result = await client.query({
    query: `SELECT ${KPI_COLUMNS} FROM kpi_events FINAL WHERE ${where.join(" AND ")}
            ORDER BY timestamp DESC, id DESC LIMIT {limit:UInt32}`,
    query_params: params,
    format: "JSONEachRow",
  });
  const rows = (await result.json<TKpiRow>()).map(toKpiEvent);
  const page = rows.slice(0, filter.limit);
  const found = await findStoredTraceIds(
    client,
    filter.projectId,
    page.flatMap((event) => (event.traceId ? [event.traceId] : [])),
  );
  const last = page.at(-1);
  return {
    data: page.map((event) => ({ ...event, traceFound: event.traceId !== null && found.has(event.traceId) })),
    nextCursor: rows.length > filter.limit && last ? encodeTimestampCursor(last) : null,
  };
}

async function findStoredTraceIds(
  client: ClickHouseClient,
  projectId: string,
  traceIds: string[],
): Promise<Set<string>> {
  if (traceIds.length === 0) return new Set();
  const result = await client.query({
    query: `SELECT DISTINCT trace_id FROM traces WHERE project_id = {projectId:String} AND trace_id IN {traceIds:Array(String)}`,
    query_params: { projectId, traceIds: [...new Set(traceIds)] },
    format: "JSONEachRow",
  });
  return new Set((await result.json<{ trace_id: string }>()).map((row) => row.trace_id));
}

/**
 * The KPI events linked to one trace, resolved at query time: by its trace id, by the
 * trace's session (events carrying that session and no trace), or by its user (events
 * carrying only that user id). `linkedBy` says which.
 */
export async function listKpiEventsForTrace(
  client: ClickHouseClient,
  projectId: string,
  traceId: string,
): Promise<(TKpiEventRecord & { linkedBy: "trace" | "session" | "user" })[]> {
  const result = await client.query({
    query: `
      WITH
        (SELECT anyLast(session_id) FROM traces WHERE project_id = {projectId:String} AND trace_id = {traceId:String}) AS trace_session,
        (SELECT anyLast(user_id) FROM traces WHERE project_id = {projectId:String} AND trace_id = {traceId:String}) AS trace_user
      SELECT ${KPI_COLUMNS},
        multiIf(trace_id = {traceId:String}, 'trace', session_id != '' AND session_id = trace_session, 'session', 'user') AS linked_by
      FROM kpi_events FINAL
      WHERE project_id = {projectId:String}
        AND (trace_id = {traceId:String}
          OR (trace_id = '' AND session_id != '' AND session_id = trace_session)
          OR (trace_id = '' AND session_id = '' AND user_id != '' AND user_id = trace_user))
      ORDER BY timestamp, id`,
    query_params: { projectId, traceId },
    format: "JSONEachRow",
  });
  const rows = await result.json<TKpiRow & { linked_by: "trace" | "session" | "user" }>();
  return rows.map((row) => ({ ...toKpiEvent(row), linkedBy: row.linked_by }));
}

/**
 * Timestamps of already-stored events by client id. The table's key includes the
 * timestamp, so a resend without one must reuse the first event's time to replace it
 * instead of adding a second row.
 */
export async function findKpiEventTimestamps(
  client: ClickHouseClient,
  projectId: string,
  refs: readonly { name: string; id: string }[],
): Promise<Map<string, number>> {
  if (refs.length === 0) return new Map();
  const result = await client.query({
    query: `SELECT id, name, min(timestamp) AS timestamp FROM kpi_events
            WHERE project_id = {projectId:String} AND name IN {names:Array(String)} AND id IN {ids:Array(String)}
            GROUP BY id, name`,
    query_params: {
      projectId,
      names: [...new Set(refs.map((ref) => ref.name))],
      ids: [...new Set(refs.map((ref) => ref.id))],
    },
    format: "JSONEachRow",
  });
  const rows = await result.json<{ id: string; name: string; timestamp: string }>();
  return new Map(rows.map((row) => [`${row.name}\u0000${row.id}`, Date.parse(`${row.timestamp.replace(" ", "T")}Z`)]));
}
