import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ClickHouseClient, createClickHouse } from "./client.js";
import { ClickHouseMigrationError, readMigrationFiles, runClickHouseMigrations } from "./migrate.js";

// Real embedded ClickHouse (chdb) in this file's own data directory; each test gets its
// own database so they share the engine (one per process) but not state.
let dataDir: string;
const clients: ClickHouseClient[] = [];

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), "spanlens-ch-migrate-"));
});

afterAll(async () => {
  await Promise.all(clients.map((client) => client.close()));
  await rm(dataDir, { recursive: true, force: true });
});

async function openDatabase(database: string): Promise<ClickHouseClient> {
  const client = await createClickHouse({ mode: "embedded", path: path.join(dataDir, "clickhouse"), database });
  clients.push(client);
  return client;
}

async function migrationsDir(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(dataDir, "migrations-"));
  await Promise.all(Object.entries(files).map(([name, sql]) => writeFile(path.join(dir, name), sql)));
  return dir;
}

async function queryRows<TRow>(client: ClickHouseClient, query: string): Promise<TRow[]> {
  return (await client.query({ query, format: "JSONEachRow" })).json<TRow>();
}

async function tableNames(client: ClickHouseClient, database: string): Promise<string[]> {
  const rows = await client.query({
    query: "SELECT name FROM system.tables WHERE database = {database:String} ORDER BY name",
    query_params: { database },
    format: "JSONEachRow",
  });
  return (await rows.json<{ name: string }>()).map((row) => row.name);
}

describe("runClickHouseMigrations against embedded ClickHouse", () => {
  it("applies the shipped migrations once, records them, and skips them on the next run", async () => {
    const client = await openDatabase("mig_shipped");
    const shipped = await readMigrationFiles();

    const applied = await runClickHouseMigrations(client, { database: "mig_shipped" });
    expect(applied.map((migration) => migration.fileName)).toEqual(shipped.map((file) => file.fileName));
    expect(await tableNames(client, "mig_shipped")).toEqual(
      expect.arrayContaining(["ingest_receipts", "ingest_requests", "schema_migrations"]),
    );

    const recorded = await queryRows<{ version: number; name: string; checksum: string; applied_at: string }>(
      client,
      "SELECT version, name, checksum, applied_at FROM schema_migrations ORDER BY version",
    );
    expect(recorded.map(({ version, name, checksum }) => ({ version, name, checksum }))).toEqual(
      shipped.map(({ version, name, checksum }) => ({ version, name, checksum })),
    );
    expect(recorded.every((row) => /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}$/.test(row.applied_at))).toBe(true);

    expect(await runClickHouseMigrations(client, { database: "mig_shipped" })).toEqual([]);
    const [count] = await queryRows<{ n: string }>(client, "SELECT count() AS n FROM schema_migrations");
    expect(Number(count?.n)).toBe(shipped.length);
  });

  it("has the spans table merge wider sets of parts (merge_selector_base = 10)", async () => {
    const client = await openDatabase("mig_merge_selector");
    await runClickHouseMigrations(client, { database: "mig_merge_selector" });
    const settings = await queryRows<{ name: string; create: string }>(
      client,
      "SELECT name, create_table_query AS create FROM system.tables " +
        "WHERE database = 'mig_merge_selector' AND name IN ('spans', 'traces') ORDER BY name",
    );
    expect(settings.map(({ name, create }) => [name, /\bmerge_selector_base = 10\b/.test(create)])).toEqual([
      ["spans", true],
      ["traces", false],
    ]);
  });

  it("folds a request stored again into one row that keeps its first receipt", async () => {
    const client = await openDatabase("mig_dedup");
    await runClickHouseMigrations(client, { database: "mig_dedup" });
    const request = {
      project_id: "p1",
      request_id: "r1",
      received_at: "2026-11-24 23:59:59.900",
      span_count: 3,
      bytes: 900,
    };
    // Separate inserts make separate parts, as a redelivery or an exporter's retry would.
    await client.insert({
      table: "ingest_receipts",
      values: [{ ...request, received_at: "2026-11-25 00:00:00.200" }],
      format: "JSONEachRow",
    });
    await client.insert({ table: "ingest_receipts", values: [request], format: "JSONEachRow" });
    await client.insert({
      table: "ingest_receipts",
      values: [{ ...request, project_id: "p2" }],
      format: "JSONEachRow",
    });
    await client.command({ query: "OPTIMIZE TABLE ingest_receipts FINAL" });

    expect(
      await queryRows(client, "SELECT project_id, received_at, span_count FROM ingest_receipts ORDER BY project_id"),
    ).toEqual([
      { project_id: "p1", received_at: "2026-11-24 23:59:59.900", span_count: 3 },
      { project_id: "p2", received_at: "2026-11-24 23:59:59.900", span_count: 3 },
    ]);
  });

  it("upgrades a database with ingest_requests rows: copies them and forwards a previous worker's writes", async () => {
    const client = await openDatabase("mig_receipts");
    const shipped = await readMigrationFiles();
    const before = shipped.filter((file) => file.version < 12);
    const dir = await migrationsDir(Object.fromEntries(before.map((file) => [file.fileName, file.sql])));
    await runClickHouseMigrations(client, { database: "mig_receipts", migrationsDir: dir });
    const row = (requestId: string, receivedAt: string) => ({
      project_id: "p1",
      request_id: requestId,
      received_at: receivedAt,
      span_count: 10,
      bytes: 1_000,
    });
    await client.insert({
      table: "ingest_requests",
      values: [row("stored", "2026-10-31 12:00:00.000"), row("retried", "2026-11-30 23:59:59.950")],
      format: "JSONEachRow",
    });

    const receipts = shipped.find((file) => file.version === 12);
    if (!receipts) throw new Error("migration 0012 is missing");
    await writeFile(path.join(dir, receipts.fileName), receipts.sql);
    expect(
      (await runClickHouseMigrations(client, { database: "mig_receipts", migrationsDir: dir })).map((m) => m.version),
    ).toEqual([12]);
    // A worker of the previous version, still running during a rolling upgrade, stores a retry.
    await client.insert({
      table: "ingest_requests",
      values: [row("retried", "2026-12-01 00:00:00.050")],
      format: "JSONEachRow",
    });
    // The copy run a second time, as after a migration that failed past it.
    const copy = receipts.sql.slice(receipts.sql.lastIndexOf("INSERT INTO"));
    await client.command({ query: copy });

    // Every row arrived: the copied ones and the forwarded retry, each stored time once.
    expect(
      await queryRows(client, "SELECT DISTINCT request_id, received_at FROM ingest_receipts ORDER BY received_at"),
    ).toEqual([
      { request_id: "stored", received_at: "2026-10-31 12:00:00.000" },
      { request_id: "retried", received_at: "2026-11-30 23:59:59.950" },
      { request_id: "retried", received_at: "2026-12-01 00:00:00.050" },
    ]);
    // Read as usage reads them, each request once, at its first receipt.
    expect(
      await queryRows(
        client,
        `SELECT request_id, min(received_at) AS first FROM ingest_receipts
         GROUP BY project_id, request_id ORDER BY request_id`,
      ),
    ).toEqual([
      { request_id: "retried", first: "2026-11-30 23:59:59.950" },
      { request_id: "stored", first: "2026-10-31 12:00:00.000" },
    ]);
  });

  it("applies only new files and substitutes the cluster placeholder away on a single node", async () => {
    const client = await openDatabase("mig_incremental");
    const first = {
      "0001_first.sql": [
        "-- two statements in one file",
        "CREATE TABLE IF NOT EXISTS a ON CLUSTER {cluster} (id String) ENGINE = MergeTree ORDER BY id;",
        "",
        "INSERT INTO a VALUES ('x;y');",
      ].join("\n"),
    };
    const dir = await migrationsDir(first);
    expect(await runClickHouseMigrations(client, { database: "mig_incremental", migrationsDir: dir })).toEqual([
      { version: 1, name: "first", fileName: "0001_first.sql" },
    ]);
    expect(await queryRows(client, "SELECT id FROM a")).toEqual([{ id: "x;y" }]);

    await writeFile(path.join(dir, "0002_second.sql"), "CREATE TABLE IF NOT EXISTS b (id String) ENGINE = Memory;\n");
    const second = await runClickHouseMigrations(client, { database: "mig_incremental", migrationsDir: dir });
    expect(second.map((migration) => migration.fileName)).toEqual(["0002_second.sql"]);
    // The first file's INSERT did not run again.
    expect(await queryRows(client, "SELECT id FROM a")).toEqual([{ id: "x;y" }]);
  });

  it("rejects an applied file whose checksum changed, naming it, before running anything new", async () => {
    const client = await openDatabase("mig_checksum");
    const dir = await migrationsDir({
      "0001_base.sql": "CREATE TABLE IF NOT EXISTS base (id String) ENGINE = Memory;",
    });
    await runClickHouseMigrations(client, { database: "mig_checksum", migrationsDir: dir });

    await writeFile(path.join(dir, "0001_base.sql"), "CREATE TABLE IF NOT EXISTS base (id UInt64) ENGINE = Memory;");
    await writeFile(path.join(dir, "0002_next.sql"), "CREATE TABLE IF NOT EXISTS next (id String) ENGINE = Memory;");
    const run = runClickHouseMigrations(client, { database: "mig_checksum", migrationsDir: dir });
    await expect(run).rejects.toThrow(ClickHouseMigrationError);
    await expect(run).rejects.toThrow(/migration 0001_base\.sql was changed after it was applied/);
    expect(await tableNames(client, "mig_checksum")).toEqual(["base", "schema_migrations"]);
  });

  it("does not record a file that fails, and applies it once fixed", async () => {
    const client = await openDatabase("mig_failure");
    const dir = await migrationsDir({
      "0001_broken.sql": "CREATE TABLE IF NOT EXISTS ok (id String) ENGINE = Memory;\nSELECT * FROM missing_table;",
    });
    await expect(runClickHouseMigrations(client, { database: "mig_failure", migrationsDir: dir })).rejects.toThrow(
      /migration 0001_broken\.sql failed at statement 2 of 2: .*missing_table/,
    );
    expect(await queryRows(client, "SELECT version FROM schema_migrations")).toEqual([]);

    await writeFile(path.join(dir, "0001_broken.sql"), "CREATE TABLE IF NOT EXISTS ok (id String) ENGINE = Memory;");
    const applied = await runClickHouseMigrations(client, { database: "mig_failure", migrationsDir: dir });
    expect(applied.map((migration) => migration.fileName)).toEqual(["0001_broken.sql"]);
  });

  it("refuses to migrate a database the client is not bound to", async () => {
    const client = await openDatabase("mig_bound");
    await expect(runClickHouseMigrations(client, { database: "mig_other" })).rejects.toThrow(
      /bound to database mig_bound, not mig_other/,
    );
  });
});
