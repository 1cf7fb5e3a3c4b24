import {
  getClickHouse,
  getTraceTree,
  listTraceKpiEvents,
  listTraceScoreSummaries,
  listTraces,
  type TTraceListFilter,
} from "@spanlens/clickhouse";
import { AppError } from "@spanlens/core";
import { getLowConfidenceRules } from "@spanlens/db";
import { resolveTimeWindow, type TTraceListQuery, validateTraceFilterQuery } from "../lib/trace-filter-query";

/** The repository filter a parsed list query means now, or a 400 naming the field. */
export function toTraceListFilter(projectId: string, query: TTraceListQuery, now = Date.now()): TTraceListFilter {
  const problem = validateTraceFilterQuery(query, now);
  if (problem) throw new AppError("BAD_REQUEST", problem);
  const { range: _range, from: _from, to: _to, lowConfidence: _lowConfidence, ...conditions } = query;
  return { ...conditions, projectId, ...resolveTimeWindow(query, now) };
}

/** `lowConfidence` means the project's own rules; a project without any cannot use it. */
async function lowConfidenceRulesFor(projectId: string, query: TTraceListQuery) {
  if (!query.lowConfidence) return undefined;
  const rules = await getLowConfidenceRules(projectId);
  if (rules.length === 0) {
    throw new AppError(
      "BAD_REQUEST",
      "lowConfidence: this project defines no low-confidence rule yet; add one under Scores → Settings",
    );
  }
  return rules;
}

/** A page of traces matching the query, each with its score summary. */
export async function findTraces(projectId: string, query: TTraceListQuery) {
  const client = getClickHouse();
  const lowConfidence = await lowConfidenceRulesFor(projectId, query);
  const page = await listTraces(client, { ...toTraceListFilter(projectId, query), lowConfidence });
  const scores = await listTraceScoreSummaries(
    client,
    projectId,
    page.data.map((trace) => trace.traceId),
  );
  return {
    data: page.data.map((trace) => ({ ...trace, scores: scores.get(trace.traceId) ?? [] })),
    nextCursor: page.nextCursor,
  };
}

/** The trace page's data: the payload-free tree, scores and linked KPI events. */
export async function findTraceTree(projectId: string, traceId: string) {
  const client = getClickHouse();
  const tree = await getTraceTree(client, projectId, traceId);
  if (!tree) throw new AppError("NOT_FOUND", `Trace ${traceId} not found in this project`);
  const kpiEvents = await listTraceKpiEvents(client, projectId, traceId, tree.trace.sessionId);
  return { traceId, ...tree, kpiEvents };
}
