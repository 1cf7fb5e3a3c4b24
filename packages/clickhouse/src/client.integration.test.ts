import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { AppError } from "@spanlens/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { insertRows } from "./batch-writer.js";
import { isClickHouseError } from "./errors.js";
import { runClickHouseMigrations } from "./migrate.js";
import { checkClickHouse, closeClickHouse, getClickHouse, initClickHouse } from "./registry.js";

// Real embedded ClickHouse (chdb) in this file's own data directory and database.
let dataDir: string;
const database = "client_it";

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), "spanlens-ch-client-"));
});

afterAll(async () => {
  await closeClickHouse();
  await rm(dataDir, { recursive: true, force: true });
});

describe("process-wide embedded ClickHouse", () => {
  it("is unavailable until initialized", async () => {
    expect(() => getClickHouse()).toThrow(AppError);
    await expect(checkClickHouse()).rejects.toMatchObject({ code: "UNAVAILABLE" });
  });

  it("initializes once from the environment and shares the client through globalThis", async () => {
    const env = { SPANLENS_DATA_DIR: dataDir, CLICKHOUSE_DATABASE: database };
    const saved = { ...process.env };
    Object.assign(process.env, env);
    delete process.env.CLICKHOUSE_URL;
    try {
      const [first, second] = await Promise.all([initClickHouse(), initClickHouse()]);
      expect(first).toBe(second);
      expect(getClickHouse()).toBe(first);
    } finally {
      process.env = saved;
    }
    const holder = globalThis as { __spanlensClickHouse?: { client?: unknown } };
    expect(holder.__spanlensClickHouse?.client).toBe(getClickHouse());
    await expect(checkClickHouse()).resolves.toBeUndefined();

    const [row] = await (
      await getClickHouse().query({ query: "SELECT currentDatabase() AS db", format: "JSONEachRow" })
    ).json<{ db: string }>();
    expect(row?.db).toBe(database);
  });

  it("rejects a second, different target while one is open", async () => {
    await expect(initClickHouse({ mode: "embedded", path: path.join(dataDir, "elsewhere"), database })).rejects.toThrow(
      /already open \(embedded .*clickhouse, database client_it\)/,
    );
  });

  it("inserts and selects with bound query parameters, scoped by project", async () => {
    const client = getClickHouse();
    await runClickHouseMigrations(client, { database });
    const rows = [
      { project_id: "proj-a", request_id: "r1", received_at: "2026-11-24 10:00:00.123", span_count: 2, bytes: 100 },
      { project_id: "proj-a", request_id: "r2", received_at: "2026-11-24 10:00:01.000", span_count: 5, bytes: 250 },
      { project_id: "proj-b", request_id: "r1", received_at: "2026-11-24 10:00:02.000", span_count: 7, bytes: 999 },
    ];
    await client.insert({ table: "ingest_requests", values: rows, format: "JSONEachRow" });

    const hostile = "proj-a' OR '1'='1";
    const query = `SELECT request_id, received_at, span_count, bytes FROM ingest_requests FINAL
      WHERE project_id = {projectId:String} AND span_count >= {minSpans:UInt32} ORDER BY request_id`;
    const result = await client.query({
      query,
      query_params: { projectId: "proj-a", minSpans: 2 },
      format: "JSONEachRow",
    });
    // UInt64 comes back as a number in both modes (the factory pins the JSON setting).
    expect(await result.json()).toEqual([
      { request_id: "r1", received_at: "2026-11-24 10:00:00.123", span_count: 2, bytes: 100 },
      { request_id: "r2", received_at: "2026-11-24 10:00:01.000", span_count: 5, bytes: 250 },
    ]);
    const none = await client.query({
      query,
      query_params: { projectId: hostile, minSpans: 0 },
      format: "JSONEachRow",
    });
    expect(await none.json()).toEqual([]);
  });

  it("inserts encoded rows with every character intact, and names the engine's error", async () => {
    const client = getClickHouse();
    await client.command({
      query:
        "CREATE TABLE raw_insert_it (id UInt32, text String, attrs Map(String, String)) ENGINE = MergeTree ORDER BY id",
    });
    const rows = [
      { id: 1, text: 'Grüße, 你好, 👋 — "quoted"\nsecond line\ttab \\ backslash', attrs: { clé: "värde" } },
      { id: 2, text: "", attrs: {} },
    ];
    await insertRows(client, "raw_insert_it", rows);
    const result = await client.query({
      query: "SELECT id, text, attrs FROM raw_insert_it ORDER BY id",
      format: "JSONEachRow",
    });
    expect(await result.json()).toEqual(rows);
    // The insert's single-thread settings stayed with it: the session's reads keep the engine's own.
    const settings = await client.query({
      query: "SELECT toUInt8(getSetting('input_format_parallel_parsing')) AS parallelParsing",
      format: "JSONEachRow",
    });
    expect(await settings.json()).toEqual([{ parallelParsing: 1 }]);

    const failure = await insertRows(client, "no_such_table", rows).catch((error: unknown) => error);
    expect(isClickHouseError(failure)).toBe(true);
    expect(failure).toMatchObject({ code: "60", type: "UNKNOWN_TABLE" });
  });

  it("surfaces engine errors with their ClickHouse code", async () => {
    const failure = await getClickHouse()
      .query({ query: "SELECT * FROM no_such_table", format: "JSONEachRow" })
      .catch((error: unknown) => error);
    expect(isClickHouseError(failure)).toBe(true);
    expect(failure).toMatchObject({ code: "60", type: "UNKNOWN_TABLE" });
  });

  it("releases the engine on close and can reopen the same data directory", async () => {
    const before = getClickHouse();
    await closeClickHouse();
    expect(() => getClickHouse()).toThrow(/not initialized/);
    const reopened = await initClickHouse({ mode: "embedded", path: path.join(dataDir, "clickhouse"), database });
    expect(reopened).not.toBe(before);
    const [row] = await (
      await reopened.query({ query: "SELECT count() AS n FROM ingest_requests", format: "JSONEachRow" })
    ).json<{ n: string }>();
    expect(Number(row?.n)).toBe(3);
  });
});
