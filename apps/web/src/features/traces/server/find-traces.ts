import {
  getClickHouse,
  getTraceTree,
  listTraceKpiEvents,
  listTraceScoreSummaries,
  listTraces,
  type TTraceListFilter,
} from "@spanlens/clickhouse";
import { AppError } from "@spanlens/core";
import { resolveTimeWindow, type TTraceListQuery, validateTraceFilterQuery } from "../lib/trace-filter-query";

/** The repository filter a parsed list query means now, or a 400 naming the field. */
export function toTraceListFilter(projectId: string, query: TTraceListQuery, now = Date.now()): TTraceListFilter {
  const problem = validateTraceFilterQuery(query, now);
  if (problem) throw new AppError("BAD_REQUEST", problem);
  const { range: _range, from: _from, to: _to, ...conditions } = query;
  return { ...conditions, projectId, ...resolveTimeWindow(query, now) };
}

/** A page of traces matching the query, each with its score summary. */
export async function findTraces(projectId: string, query: TTraceListQuery) {
  const client = getClickHouse();
  const page = await listTraces(client, toTraceListFilter(projectId, query));
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
