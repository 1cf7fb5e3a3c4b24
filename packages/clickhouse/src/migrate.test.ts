import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { DEFAULT_MIGRATIONS_DIR, readMigrationFiles } from "./migrate.js";
import { checksumSql, splitSqlStatements } from "./sql.js";

const dirs: string[] = [];
async function migrationsDir(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), "spanlens-migrations-"));
  dirs.push(dir);
  await Promise.all(Object.entries(files).map(([name, sql]) => writeFile(path.join(dir, name), sql)));
  return dir;
}

afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

describe("readMigrationFiles", () => {
  it("orders files by version, ignores non-SQL files and checksums each", async () => {
    const dir = await migrationsDir({ "0002_b.sql": "SELECT 2;", "0001_a.sql": "SELECT 1;", "README.md": "notes" });
    const files = await readMigrationFiles(dir);
    expect(files.map((file) => [file.version, file.name, file.fileName])).toEqual([
      [1, "a", "0001_a.sql"],
      [2, "b", "0002_b.sql"],
    ]);
    expect(files[0]?.checksum).toBe(checksumSql("SELECT 1;"));
  });

  it("rejects badly named and duplicate-numbered files", async () => {
    await expect(readMigrationFiles(await migrationsDir({ "1_a.sql": "" }))).rejects.toThrow(
      /1_a\.sql is not named NNNN_lowercase_name\.sql/,
    );
    await expect(readMigrationFiles(await migrationsDir({ "0001_a.sql": "", "0001_b.sql": "" }))).rejects.toThrow(
      /0001_a\.sql and 0001_b\.sql share a version/,
    );
  });

  it("finds the shipped migrations from the package source, each with at least one statement", async () => {
    const files = await readMigrationFiles(DEFAULT_MIGRATIONS_DIR);
    expect(files[0]?.fileName).toBe("0001_ingest_requests.sql");
    for (const file of files) expect(splitSqlStatements(file.sql).length, file.fileName).toBeGreaterThan(0);
  });
});
