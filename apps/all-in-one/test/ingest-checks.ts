/** What the ingest integration tests check of the real pipeline: stored spans, trace rollups, the queue. */
import type { ReadableSpan } from "@opentelemetry/sdk-trace";
import { listTraces } from "@spanlens/clickhouse";
import { QueueName } from "@spanlens/core";
import { getQueue } from "@spanlens/queue";
import { expect } from "vitest";
import { TOKENS_PER_GENERATION } from "./otlp-payloads.js";
import { getClickHouse, waitFor } from "./pipeline-harness.js";

export const traceIdOf = (spans: ReadableSpan[]) => spans[0]?.spanContext().traceId ?? "";

/** Rows of these traces as `spans FINAL` sees them, plus the distinct span ids among them. */
export async function countStoredSpans(
  projectId: string,
  traceIds: string[],
): Promise<{ rows: number; distinct: number }> {
  const result = await getClickHouse().query({
    query: `SELECT count() AS rows, uniqExact(trace_id, span_id) AS distinct FROM spans FINAL
            WHERE project_id = {projectId:String} AND trace_id IN {traceIds:Array(String)}`,
    query_params: { projectId, traceIds },
    format: "JSONEachRow",
  });
  const [row] = await result.json<{ rows: string; distinct: string }>();
  return { rows: Number(row?.rows), distinct: Number(row?.distinct) };
}

async function summariesOf(projectId: string, traceIds: string[]) {
  const list = await listTraces(getClickHouse(), {
    projectId,
    from: new Date(Date.now() - 3600_000),
    to: new Date(Date.now() + 60_000),
    limit: 500,
  });
  return list.data.filter((summary) => traceIds.includes(summary.traceId));
}

/** Every trace stored whole, each span once, and its token total counted once. */
export async function expectStoredExactlyOnce(projectId: string, traces: ReadableSpan[][]): Promise<void> {
  const traceIds = traces.map(traceIdOf);
  const spansPerTrace = traces[0]?.length ?? 0;
  const summaries = await waitFor(
    () => summariesOf(projectId, traceIds),
    (value) => value.length === traces.length && value.every((summary) => summary.spanCount === spansPerTrace),
    30_000,
  );
  for (const summary of summaries) {
    expect(summary.spanCount).toBe(spansPerTrace);
    expect(summary.totalTokens).toBe((spansPerTrace - 1) * TOKENS_PER_GENERATION);
  }
  expect(await countStoredSpans(projectId, traceIds)).toEqual({
    rows: traces.length * spansPerTrace,
    distinct: traces.length * spansPerTrace,
  });
}

/** Ingest jobs by state; `waiting` counts those queued behind other projects' exports too. */
export async function queueBacklog(): Promise<Record<"waiting" | "active" | "delayed" | "failed", number>> {
  const counts = await getQueue(QueueName.OtlpIngest).getJobCounts(
    "waiting",
    "prioritized",
    "active",
    "delayed",
    "failed",
  );
  const count = (state: string) => counts[state] ?? 0;
  return {
    waiting: count("waiting") + count("prioritized"),
    active: count("active"),
    delayed: count("delayed"),
    failed: count("failed"),
  };
}

/** Until no ingest job is left in any state. */
export function waitForEmptyQueue() {
  return waitFor(queueBacklog, (counts) => Object.values(counts).every((count) => count === 0));
}
