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

/** How long after a request's first receipt an exporter's retry of it is still counted as the same request. */
export const RETRY_WINDOW_MS = 24 * 60 * 60 * 1000;

/**
 * The query behind {@link getIngestUsage}, exported so a test can ask the engine which parts it reads.
 *
 * Rows are grouped by request, each counted at its earliest receipt: a job run again after a worker
 * crash and an exporter's retry of the same bytes write the same request id (the body's hash), and
 * merges fold them only within a month. Rows are read from a day before the window, so a request
 * first received just before `from` and retried inside the window is not counted in it. The
 * grouping, not FINAL, dedups: FINAL would read every part of the project, where this reads only
 * the parts whose `received_at` range overlaps the read, and the engine aggregates in key order.
 */
export function ingestUsageQuery(window: { projectId: string; from: Date; to: Date }) {
  return {
    query: `SELECT toString(toDate(first_received_at)) AS day, count() AS requests,
                   sum(span_count) AS spans, sum(bytes) AS bytes
            FROM (
              SELECT min(received_at) AS first_received_at, any(span_count) AS span_count, any(bytes) AS bytes
              FROM ingest_receipts
              WHERE project_id = {projectId:String}
                AND received_at >= {readFrom:DateTime64(3)} AND received_at < {to:DateTime64(3)}
              GROUP BY project_id, request_id
            )
            WHERE first_received_at >= {from:DateTime64(3)}
            GROUP BY day
            ORDER BY day
            SETTINGS optimize_aggregation_in_order = 1`,
    query_params: {
      projectId: window.projectId,
      readFrom: toClickHouseTime(window.from.getTime() - RETRY_WINDOW_MS),
      from: toClickHouseTime(window.from.getTime()),
      to: toClickHouseTime(window.to.getTime()),
    },
  };
}

/**
 * A project's ingest volume per UTC day in [from, to), from the `ingest_receipts` rows the worker
 * writes for every stored request. A request sent again (a job redelivered after a worker crash, an
 * exporter's retry within {@link RETRY_WINDOW_MS}) counts once, on the day it first arrived. Only
 * days with traffic are returned, oldest first.
 */
export async function getIngestUsage(
  client: ClickHouseClient,
  window: { projectId: string; from: Date; to: Date },
): Promise<TIngestUsage> {
  const result = await client.query({ ...ingestUsageQuery(window), format: "JSONEachRow" });
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

/**
 * Whether a receipt of the request was written. The worker writes it beside the request's rows
 * and deletes the request's body only once both are in, so a job whose body is gone and that has
 * no receipt was never stored. `requestId` is the id the receipt was written under (the body's
 * hash, or the job's own id for jobs queued before it). A key lookup: one granule.
 */
export async function isIngestRequestStored(
  client: ClickHouseClient,
  request: { projectId: string; requestId: string },
): Promise<boolean> {
  const result = await client.query({
    query: `SELECT count() AS receipts FROM ingest_receipts
            WHERE project_id = {projectId:String} AND request_id = {requestId:String}`,
    query_params: request,
    format: "JSONEachRow",
  });
  const [row] = await result.json<{ receipts: string }>();
  return Number(row?.receipts ?? 0) > 0;
}
