import type { ClickHouseClient } from "@clickhouse/client";
import { toClickHouseTime } from "../spans/span-row.js";

/** What one project sent on one UTC day: stored OTLP requests, their spans and decompressed bytes. */
export interface TIngestUsageDay {
  /** `YYYY-MM-DD`, UTC. */
  day: string;
  requests: number;
  spans: number;
  bytes: number;
}

export interface TIngestUsage {
  days: TIngestUsageDay[];
  totals: Omit<TIngestUsageDay, "day">;
}

/**
 * A project's ingest volume per UTC day in [from, to), from the `ingest_requests` rows the
 * worker writes for every stored request. FINAL counts a job run again after a worker crash
 * once, and an exporter's retry of the same bytes too (both keep the body's hash as their
 * request id). Only days with traffic
 * are returned, oldest first. The table is keyed by (project, request id) for that
 * deduplication, not by time, so a window reads all of the project's rows.
 */
export async function getIngestUsage(
  client: ClickHouseClient,
  window: { projectId: string; from: Date; to: Date },
): Promise<TIngestUsage> {
  const result = await client.query({
    query: `SELECT toString(toDate(received_at)) AS day, count() AS requests,
                   sum(span_count) AS spans, sum(bytes) AS bytes
            FROM ingest_requests FINAL
            WHERE project_id = {projectId:String}
              AND received_at >= {from:DateTime64(3)} AND received_at < {to:DateTime64(3)}
            GROUP BY day
            ORDER BY day`,
    query_params: {
      projectId: window.projectId,
      from: toClickHouseTime(window.from.getTime()),
      to: toClickHouseTime(window.to.getTime()),
    },
    format: "JSONEachRow",
  });
  // UInt64 sums arrive as strings in JSON.
  const rows = await result.json<{ day: string; requests: string; spans: string; bytes: string }>();
  const days = rows.map((row) => ({
    day: row.day,
    requests: Number(row.requests),
    spans: Number(row.spans),
    bytes: Number(row.bytes),
  }));
  return {
    days,
    totals: days.reduce(
      (sum, day) => ({
        requests: sum.requests + day.requests,
        spans: sum.spans + day.spans,
        bytes: sum.bytes + day.bytes,
      }),
      { requests: 0, spans: 0, bytes: 0 },
    ),
  };
}
