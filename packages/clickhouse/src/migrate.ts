import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { ClickHouseClient } from "@clickhouse/client";
import { childLogger } from "@spanlens/core";
import { firstLine } from "./errors.js";
import { applyClusterPlaceholder, checksumSql, onCluster, quoteIdentifier, splitSqlStatements } from "./sql.js";

const log = childLogger("clickhouse-migrate");

/**
 * `packages/clickhouse/migrations`, found the same way from `src/` (tests) and `dist/`
 * (runtime). Built from the module's directory rather than `new URL("../migrations/",
 * import.meta.url)`: bundlers treat that form as an asset import and fail on a folder.
 */
export const DEFAULT_MIGRATIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "migrations");

const MIGRATION_FILE = /^(\d{4})_([a-z0-9_]+)\.sql$/;

export interface TMigrationFile {
  version: number;
  name: string;
  fileName: string;
  sql: string;
  checksum: string;
}

export interface TAppliedMigration {
  version: number;
  name: string;
  fileName: string;
}

export interface TRunMigrationsOptions {
  /** The database the client is bound to; migrations and their records go there. */
  database: string;
  /** Cluster for `ON CLUSTER {cluster}` clauses; unset on a single node or embedded. */
  cluster?: string;
  migrationsDir?: string;
}

/** A migration that cannot be applied, or one that was edited after it was applied. */
export class ClickHouseMigrationError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "ClickHouseMigrationError";
  }
}

/** Reads `NNNN_name.sql` files in version order; a stray or duplicate-numbered `.sql` file is an error. */
export async function readMigrationFiles(dir: string = DEFAULT_MIGRATIONS_DIR): Promise<TMigrationFile[]> {
  const fileNames = (await readdir(dir)).filter((fileName) => fileName.endsWith(".sql")).sort();
  const files: TMigrationFile[] = [];
  for (const fileName of fileNames) {
    const match = MIGRATION_FILE.exec(fileName);
    if (!match?.[1] || !match[2]) {
      throw new ClickHouseMigrationError(`migration file ${fileName} is not named NNNN_lowercase_name.sql`);
    }
    const version = Number(match[1]);
    const clash = files.find((file) => file.version === version);
    if (clash) throw new ClickHouseMigrationError(`migrations ${clash.fileName} and ${fileName} share a version`);
    const sql = await readFile(path.join(dir, fileName), "utf8");
    files.push({ version, name: match[2], fileName, sql, checksum: checksumSql(sql) });
  }
  return files;
}

/**
 * Applies pending migrations in order and records each in `schema_migrations`. Every
 * recorded checksum is verified before anything runs, so an edited migration stops the
 * run instead of leaving the schema half-updated. ClickHouse DDL is not transactional:
 * a file that fails midway is not recorded and runs again next time, which is why
 * migrations use `IF NOT EXISTS`. Run from one process at a time (there is no lock).
 */
export async function runClickHouseMigrations(
  client: ClickHouseClient,
  options: TRunMigrationsOptions,
): Promise<TAppliedMigration[]> {
  await assertBoundDatabase(client, options.database);
  const files = await readMigrationFiles(options.migrationsDir);
  const table = `${quoteIdentifier(options.database)}.schema_migrations`;
  await client.command({
    query: `CREATE TABLE IF NOT EXISTS ${table}${onCluster(options.cluster)} (
      version UInt32,
      name String,
      checksum String,
      applied_at DateTime64(3, 'UTC') DEFAULT now64(3)
    ) ENGINE = MergeTree ORDER BY version`,
  });

  const recorded = await readRecordedMigrations(client, table);
  for (const file of files) {
    const checksum = recorded.get(file.version);
    if (checksum !== undefined && checksum !== file.checksum) {
      throw new ClickHouseMigrationError(
        `migration ${file.fileName} was changed after it was applied (checksum ${checksum.slice(0, 12)}… recorded, ` +
          `${file.checksum.slice(0, 12)}… on disk); add a new migration instead of editing an applied one`,
      );
    }
  }

  const applied: TAppliedMigration[] = [];
  for (const file of files.filter((candidate) => !recorded.has(candidate.version))) {
    const statements = splitSqlStatements(file.sql);
    for (const [index, statement] of statements.entries()) {
      try {
        await client.command({ query: applyClusterPlaceholder(statement, options.cluster) });
      } catch (error) {
        throw new ClickHouseMigrationError(
          `migration ${file.fileName} failed at statement ${index + 1} of ${statements.length}: ${firstLine(error)}`,
          { cause: error },
        );
      }
    }
    await client.insert({
      table,
      values: [{ version: file.version, name: file.name, checksum: file.checksum }],
      format: "JSONEachRow",
    });
    log.info({ version: file.version, migration: file.fileName }, "applied ClickHouse migration");
    applied.push({ version: file.version, name: file.name, fileName: file.fileName });
  }
  return applied;
}

async function readRecordedMigrations(client: ClickHouseClient, table: string): Promise<Map<number, string>> {
  const result = await client.query({
    query: `SELECT version, checksum FROM ${table} ORDER BY version`,
    format: "JSONEachRow",
  });
  const rows = await result.json<{ version: number; checksum: string }>();
  return new Map(rows.map((row) => [Number(row.version), row.checksum]));
}

// Migration files name tables without a database, so they land wherever the client
// points; a mismatch with the requested database would record them in the wrong place.
async function assertBoundDatabase(client: ClickHouseClient, database: string): Promise<void> {
  const result = await client.query({ query: "SELECT currentDatabase() AS database", format: "JSONEachRow" });
  const [row] = await result.json<{ database: string }>();
  if (row?.database !== database) {
    throw new ClickHouseMigrationError(
      `the client is bound to database ${row?.database ?? "(unknown)"}, not ${database}; create it with createClickHouse`,
    );
  }
}
