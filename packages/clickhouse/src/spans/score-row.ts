import { createHash } from "node:crypto";
import type { TNormalizedScore } from "@spanlens/core";
import { toClickHouseTime } from "./span-row.js";

/** A `scores` row as sent with JSONEachRow (column names as in 0004_scores.sql). */
export type TScoreRow = ReturnType<typeof toScoreRow>;

/**
 * Scores found on the wire carry no id; one derived from what identifies them makes a
 * redelivered request write the same row again, which the table collapses.
 */
export function deriveScoreId(projectId: string, score: TNormalizedScore, timestampMs: number): string {
  return createHash("sha256")
    .update(
      [projectId, score.traceId, score.spanId ?? "", score.name, score.source, String(timestampMs)].join("\u0000"),
    )
    .digest("hex")
    .slice(0, 32);
}

export function toScoreRow(projectId: string, score: TNormalizedScore, timestampMs: number) {
  return {
    project_id: projectId,
    id: deriveScoreId(projectId, score, timestampMs),
    trace_id: score.traceId,
    span_id: score.spanId ?? "",
    session_id: "",
    name: score.name,
    value: score.value,
    string_value: score.label ?? "",
    data_type: score.value === null ? "categorical" : "numeric",
    label: score.label ?? "",
    comment: score.comment ?? "",
    source: score.source,
    author: "",
    evaluator_version: "",
    timestamp: toClickHouseTime(timestampMs),
  };
}
