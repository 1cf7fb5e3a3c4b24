import type { ClickHouseClient } from "@clickhouse/client";
import { toClickHouseTime } from "../spans/span-row.js";

/**
 * What happened when a trace met an evaluator: `filtered_out` (a filter field did not
 * match; `reason` names it), `sampled_out`, `queued` (picked; a run was created),
 * `scored`, `failed`.
 */
export type TEvaluationDecision = "filtered_out" | "sampled_out" | "queued" | "scored" | "failed";

export interface TEvaluationDecisionInsert {
  evaluatorId: string;
  traceId: string;
  decision: TEvaluationDecision;
  reason: string;
}

export async function recordEvaluationDecisions(
  client: ClickHouseClient,
  projectId: string,
  decisions: readonly TEvaluationDecisionInsert[],
): Promise<void> {
  if (decisions.length === 0) return;
  const now = toClickHouseTime(Date.now());
  await client.insert({
    table: "evaluation_decisions",
    values: decisions.map((decision) => ({
      project_id: projectId,
      evaluator_id: decision.evaluatorId,
      trace_id: decision.traceId,
      decision: decision.decision,
      reason: decision.reason,
      decided_at: now,
    })),
    format: "JSONEachRow",
  });
}

export interface TEvaluatorExplanation {
  /** Traces this evaluator looked at in the window. */
  seen: number;
  /** Traces whose filter matched (sampled in or out). */
  matched: number;
  decisions: { decision: TEvaluationDecision; reason: string; traces: number }[];
}

/** Why an evaluator did or did not fire: traces seen, matched, and each outcome with its reason. */
export async function explainEvaluator(
  client: ClickHouseClient,
  projectId: string,
  evaluatorId: string,
  since: Date,
): Promise<TEvaluatorExplanation> {
  const result = await client.query({
    query: `SELECT decision, reason, count() AS traces
            FROM evaluation_decisions FINAL
            WHERE project_id = {projectId:String} AND evaluator_id = {evaluatorId:String}
              AND decided_at >= {since:DateTime64(3)}
            GROUP BY decision, reason
            ORDER BY traces DESC, decision, reason
            LIMIT 100`,
    query_params: { projectId, evaluatorId, since: toClickHouseTime(since.getTime()) },
    format: "JSONEachRow",
  });
  const decisions = (
    await result.json<{ decision: TEvaluationDecision; reason: string; traces: string | number }>()
  ).map((row) => ({ decision: row.decision, reason: row.reason, traces: Number(row.traces) }));
  const seen = decisions.reduce((sum, row) => sum + row.traces, 0);
  const filteredOut = decisions
    .filter((row) => row.decision === "filtered_out")
    .reduce((sum, row) => sum + row.traces, 0);
  return { seen, matched: seen - filteredOut, decisions };
}

/** The trace's name as lists show it (a name set for the trace, else the root span's). */
export async function findTraceName(
  client: ClickHouseClient,
  projectId: string,
  traceId: string,
): Promise<string | null> {
  const result = await client.query({
    query: `SELECT coalesce(anyLast(trace_name), anyLast(root_name)) AS name FROM traces
            WHERE project_id = {projectId:String} AND trace_id = {traceId:String}`,
    query_params: { projectId, traceId },
    format: "JSONEachRow",
  });
  const [row] = await result.json<{ name: string | null }>();
  return row?.name ?? null;
}
