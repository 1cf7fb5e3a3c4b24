import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { insertRows } from "../batch-writer.js";
import { runClickHouseMigrations } from "../migrate.js";
import { closeClickHouse, getClickHouse, initClickHouse } from "../registry.js";
import { type TIngestRequestRow, toClickHouseTime } from "../spans/span-row.js";
import { getIngestUsage, ingestUsageQuery } from "./ingest-usage.js";

// Real embedded ClickHouse (chdb) in this file's own data directory and database.
let dataDir: string;

const request = (projectId: string, requestId: string, receivedAt: string, spans: number, bytes: number) =>
  ({
    project_id: projectId,
    request_id: requestId,
    received_at: toClickHouseTime(Date.parse(receivedAt)),
    span_count: spans,
    bytes,
  }) satisfies TIngestRequestRow;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), "spanlens-ch-usage-"));
  await initClickHouse({ mode: "embedded", path: dataDir, database: "usage_it" });
  await runClickHouseMigrations(getClickHouse(), { database: "usage_it" });
  const client = getClickHouse();
  await insertRows(client, "ingest_receipts", [
    request("usage-a", "r1", "2026-11-30T23:59:59.000Z", 10, 4_000),
    request("usage-a", "r2", "2026-12-01T00:00:00.000Z", 5, 1_000),
    request("usage-a", "r3", "2026-12-01T12:30:00.000Z", 20, 9_000),
    // Before the window, and another project's request inside it.
    request("usage-a", "r0", "2026-11-29T08:00:00.000Z", 99, 99_000),
    request("usage-b", "r9", "2026-12-01T10:00:00.000Z", 7, 7_000),
  ]);
  // A redelivered request writes its row again, in an insert of its own (a part of its own).
  await insertRows(client, "ingest_receipts", [request("usage-a", "r3", "2026-12-01T12:30:00.000Z", 20, 9_000)]);
  // Exporters' retries of requests first received just before UTC midnight, one at a month's end.
  await insertRows(client, "ingest_receipts", [
    request("usage-retry", "day-end", "2026-12-01T23:59:59.900Z", 4, 400),
    request("usage-retry", "month-end", "2026-11-30T23:59:59.950Z", 6, 600),
  ]);
  await insertRows(client, "ingest_receipts", [
    request("usage-retry", "day-end", "2026-12-02T00:00:00.200Z", 4, 400),
    request("usage-retry", "month-end", "2026-12-01T00:00:00.050Z", 6, 600),
  ]);
  // A year of history, one request a month, each month's in a part of its own.
  for (let month = 1; month <= 12; month += 1) {
    const receivedAt = `2025-${String(month).padStart(2, "0")}-10T08:00:00.000Z`;
    await insertRows(client, "ingest_receipts", [request("usage-history", `m${month}`, receivedAt, 1, 100)]);
  }
});

afterAll(async () => {
  await closeClickHouse();
  await rm(dataDir, { recursive: true, force: true });
});

describe("getIngestUsage", () => {
  it("sums one project's stored requests per UTC day, counting a redelivered request once", async () => {
    const usage = await getIngestUsage(getClickHouse(), {
      projectId: "usage-a",
      from: new Date("2026-11-30T00:00:00.000Z"),
      to: new Date("2026-12-02T00:00:00.000Z"),
    });
    expect(usage.days).toEqual([
      { day: "2026-11-30", requests: 1, spans: 10, bytes: 4_000 },
      { day: "2026-12-01", requests: 2, spans: 25, bytes: 10_000 },
    ]);
    expect(usage.totals).toEqual({ requests: 3, spans: 35, bytes: 14_000 });
  });

  it("keeps to the window, start inclusive and end exclusive", async () => {
    const usage = await getIngestUsage(getClickHouse(), {
      projectId: "usage-a",
      from: new Date("2026-12-01T00:00:00.000Z"),
      to: new Date("2026-12-01T12:30:00.000Z"),
    });
    expect(usage.days).toEqual([{ day: "2026-12-01", requests: 1, spans: 5, bytes: 1_000 }]);
  });

  it("returns no days for a project that sent nothing", async () => {
    const usage = await getIngestUsage(getClickHouse(), {
      projectId: "usage-none",
      from: new Date("2026-11-01T00:00:00.000Z"),
      to: new Date("2026-12-31T00:00:00.000Z"),
    });
    expect(usage).toEqual({ days: [], totals: { requests: 0, spans: 0, bytes: 0 } });
  });

  const retried = (from: string, to: string) =>
    getIngestUsage(getClickHouse(), { projectId: "usage-retry", from: new Date(from), to: new Date(to) });

  it("counts a request retried after UTC midnight once, on the day it first arrived", async () => {
    expect((await retried("2026-11-01T00:00:00.000Z", "2026-12-31T00:00:00.000Z")).days).toEqual([
      { day: "2026-11-30", requests: 1, spans: 6, bytes: 600 },
      { day: "2026-12-01", requests: 1, spans: 4, bytes: 400 },
    ]);
    // The retry's day alone does not count it again.
    expect((await retried("2026-12-02T00:00:00.000Z", "2026-12-03T00:00:00.000Z")).days).toEqual([]);
  });

  it("leaves a request first received before the window out of it, across a month's boundary too", async () => {
    expect((await retried("2026-12-01T00:00:00.000Z", "2026-12-02T00:00:00.000Z")).days).toEqual([
      { day: "2026-12-01", requests: 1, spans: 4, bytes: 400 },
    ]);
    expect((await retried("2026-11-01T00:00:00.000Z", "2026-12-01T00:00:00.000Z")).totals).toEqual({
      requests: 1,
      spans: 6,
      bytes: 600,
    });
  });

  it("gives the same answers once merges have folded the retries", async () => {
    await getClickHouse().command({ query: "OPTIMIZE TABLE ingest_receipts FINAL" });
    expect((await retried("2026-11-01T00:00:00.000Z", "2026-12-31T00:00:00.000Z")).totals).toEqual({
      requests: 2,
      spans: 10,
      bytes: 1_000,
    });
    expect((await retried("2026-12-02T00:00:00.000Z", "2026-12-03T00:00:00.000Z")).days).toEqual([]);
  });

  it("reads only the parts whose receive times overlap the window, not the project's whole history", async () => {
    const window = {
      projectId: "usage-history",
      from: new Date("2025-06-01T00:00:00.000Z"),
      to: new Date("2025-06-15T00:00:00.000Z"),
    };
    const { query, query_params } = ingestUsageQuery(window);
    const estimate = await getClickHouse().query({
      query: `EXPLAIN ESTIMATE ${query}`,
      query_params,
      format: "JSONEachRow",
    });
    expect(await estimate.json()).toEqual([expect.objectContaining({ table: "ingest_receipts", parts: 1, rows: 1 })]);
    expect((await getIngestUsage(getClickHouse(), window)).days).toEqual([
      { day: "2025-06-10", requests: 1, spans: 1, bytes: 100 },
    ]);
  });
});
