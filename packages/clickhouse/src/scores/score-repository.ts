import { randomUUID } from "node:crypto";
import type { ClickHouseClient } from "@clickhouse/client";
import { toClickHouseTime } from "../spans/span-row.js";
import { addTimestampKeysetConditions, encodeTimestampCursor } from "../timestamp-keyset.js";

/** A validated score ready to store (all sources: api, sdk, annotation, evaluator). */
export interface TScoreInsert {
  id: string;
  traceId: string | null;
  spanId: string | null;
  sessionId: string | null;
  name: string;
  value: number | null;
  stringValue: string;
  dataType: "numeric" | "boolean" | "categorical";
  label: string | null;
  comment: string | null;
  source: string;
  author: string | null;
  evaluatorVersion: string | null;
  evaluatorId: string | null;
  judgeTraceId: string | null;
  configId: string | null;
  metadata: Record<string, string>;
  timestampMs: number;
}

/** A score as every reader sees it. */
export interface TScore {
  id: string;
  traceId: string | null;
  spanId: string | null;
  sessionId: string | null;
  name: string;
  value: number | null;
  stringValue: string | null;
  dataType: string;
  label: string | null;
  comment: string | null;
  source: string;
  author: string | null;
  evaluatorId: string | null;
  evaluatorVersion: string | null;
  judgeTraceId: string | null;
  configId: string | null;
  metadata: Record<string, string>;
  /** ISO 8601, UTC. */
  timestamp: string;
}

interface TStoredScoreRow {
  id: string;
  trace_id: string;
  span_id: string;
  session_id: string;
  name: string;
  value: number | null;
  string_value: string;
  data_type: string;
  label: string;
  comment: string;
  source: string;
  author: string;
  evaluator_version: string;
  metadata: Record<string, string>;
  config_id: string;
  evaluator_id: string;
  judge_trace_id: string;
  timestamp: string;
}

const SCORE_COLUMNS = `id, trace_id, span_id, session_id, name, value, string_value, data_type, label, comment,
  source, author, evaluator_version, metadata, config_id, evaluator_id, judge_trace_id, timestamp`;

const orNull = (text: string): string | null => (text === "" ? null : text);
const isoTime = (text: string): string => new Date(Date.parse(`${text.replace(" ", "T")}Z`)).toISOString();

export function newScoreId(): string {
  return randomUUID();
}

function toRow(projectId: string, score: TScoreInsert, updatedAtMs: number, isDeleted = false) {
  return {
    project_id: projectId,
    id: score.id,
    trace_id: score.traceId ?? "",
    span_id: score.spanId ?? "",
    session_id: score.sessionId ?? "",
    name: score.name,
    value: score.value,
    string_value: score.stringValue,
    data_type: score.dataType,
    label: score.label ?? "",
    comment: score.comment ?? "",
    source: score.source,
    author: score.author ?? "",
    evaluator_version: score.evaluatorVersion ?? "",
    metadata: score.metadata,
    config_id: score.configId ?? "",
    evaluator_id: score.evaluatorId ?? "",
    judge_trace_id: score.judgeTraceId ?? "",
    timestamp: toClickHouseTime(score.timestampMs),
    updated_at: toClickHouseTime(updatedAtMs),
    is_deleted: isDeleted ? 1 : 0,
  };
}

export function toScore(row: TStoredScoreRow): TScore {
  return {
    id: row.id,
    traceId: orNull(row.trace_id),
    spanId: orNull(row.span_id),
    sessionId: orNull(row.session_id),
    name: row.name,
    value: row.value,
    stringValue: orNull(row.string_value),
    dataType: row.data_type,
    label: orNull(row.label),
    comment: orNull(row.comment),
    source: row.source,
    author: orNull(row.author),
    evaluatorId: orNull(row.evaluator_id),
    evaluatorVersion: orNull(row.evaluator_version),
    judgeTraceId: orNull(row.judge_trace_id),
    configId: orNull(row.config_id),
    metadata: row.metadata,
    timestamp: isoTime(row.timestamp),
  };
}

/**
 * Stores scores. A repeated id with the same target replaces the earlier row (the table
 * is a ReplacingMergeTree keyed by project, trace and id), which makes creates idempotent.
 */
export async function insertScores(client: ClickHouseClient, projectId: string, scores: readonly TScoreInsert[]) {
  if (scores.length === 0) return;
  const now = Date.now();
  await client.insert({
    table: "scores",
    values: scores.map((score) => toRow(projectId, score, now)),
    format: "JSONEachRow",
  });
}

/** The live scores with these ids (a client id may be reused across targets: every row comes back). */
export async function findScoresByIds(
  client: ClickHouseClient,
  projectId: string,
  ids: readonly string[],
): Promise<TScore[]> {
  if (ids.length === 0) return [];
  const result = await client.query({
    query: `SELECT ${SCORE_COLUMNS} FROM scores FINAL
            WHERE project_id = {projectId:String} AND id IN {ids:Array(String)} AND is_deleted = 0`,
    query_params: { projectId, ids },
    format: "JSONEachRow",
  });
  return (await result.json<TStoredScoreRow>()).map(toScore);
}

/** Marks a score deleted by writing a newer row with `is_deleted = 1`; false when no such score. */
export async function deleteScore(client: ClickHouseClient, projectId: string, id: string): Promise<boolean> {
  const existing = await findScoresByIds(client, projectId, [id]);
  if (existing.length === 0) return false;
  // Strictly newer than the live row, even when both land in the same millisecond.
  const now = Date.now() + 1;
  await client.insert({
    table: "scores",
    values: existing.map((score) =>
      toRow(
        projectId,
        {
          ...score,
          stringValue: score.stringValue ?? "",
          dataType: score.dataType as TScoreInsert["dataType"],
          timestampMs: Date.parse(score.timestamp),
        },
        now,
        true,
      ),
    ),
    format: "JSONEachRow",
  });
  return true;
}

export interface TScoreListFilter {
  projectId: string;
  traceId?: string | undefined;
  spanId?: string | undefined;
  sessionId?: string | undefined;
  name?: string | undefined;
  source?: string | undefined;
  author?: string | undefined;
  evaluatorId?: string | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
  limit: number;
  cursor?: string | undefined;
}

/** Scores newest first, with keyset pagination. */
export async function listScores(
  client: ClickHouseClient,
  filter: TScoreListFilter,
): Promise<{ data: TScore[]; nextCursor: string | null }> {
  const where = ["project_id = {projectId:String}", "is_deleted = 0"];
  const params: Record<string, unknown> = { projectId: filter.projectId };
  const equals = {
    traceId: "trace_id",
    spanId: "span_id",
    sessionId: "session_id",
    name: "name",
    source: "source",
    author: "author",
    evaluatorId: "evaluator_id",
  } as const;
  addTimestampKeysetConditions(filter, equals, where, params);
  const result = await client.query({
    query: `SELECT ${SCORE_COLUMNS} FROM scores FINAL WHERE ${where.join(" AND ")}
            ORDER BY timestamp DESC, id DESC LIMIT {limit:UInt32}`,
    query_params: params,
    format: "JSONEachRow",
  });
  const rows = (await result.json<TStoredScoreRow>()).map(toScore);
  const page = rows.slice(0, filter.limit);
  const last = page.at(-1);
  return { data: page, nextCursor: rows.length > filter.limit && last ? encodeTimestampCursor(last) : null };
}

/** The trace of a stored span, for scores sent with a span id only; null when the span is not stored. */
export async function findTraceIdOfSpan(
  client: ClickHouseClient,
  projectId: string,
  spanId: string,
): Promise<string | null> {
  const result = await client.query({
    query: `SELECT trace_id FROM spans WHERE project_id = {projectId:String} AND span_id = {spanId:String} LIMIT 1`,
    query_params: { projectId, spanId },
    format: "JSONEachRow",
  });
  const [row] = await result.json<{ trace_id: string }>();
  return row?.trace_id ?? null;
}
