import { describe, expect, it } from "vitest";
import { applyClusterPlaceholder, checksumSql, quoteIdentifier, splitSqlStatements } from "./sql.js";

describe("splitSqlStatements", () => {
  it("splits at a semicolon ending a line and drops whole-line comments", () => {
    const sql = [
      "-- header comment; with a semicolon",
      "CREATE TABLE a",
      "(",
      "    -- column comment;",
      "    id String",
      ") ENGINE = MergeTree ORDER BY id;",
      "",
      "ALTER TABLE a ADD COLUMN IF NOT EXISTS n UInt32;   ",
      "",
    ].join("\n");
    expect(splitSqlStatements(sql)).toEqual([
      "CREATE TABLE a\n(\n    id String\n) ENGINE = MergeTree ORDER BY id",
      "ALTER TABLE a ADD COLUMN IF NOT EXISTS n UInt32",
    ]);
  });

  it("keeps a semicolon that does not end a line inside its statement", () => {
    expect(splitSqlStatements("SELECT 'a;b', ';' AS c\nFROM t;\nSELECT 2")).toEqual([
      "SELECT 'a;b', ';' AS c\nFROM t",
      "SELECT 2",
    ]);
  });

  it("handles CRLF files and files with only comments", () => {
    expect(splitSqlStatements("SELECT 1;\r\nSELECT 2;\r\n")).toEqual(["SELECT 1", "SELECT 2"]);
    expect(splitSqlStatements("-- nothing yet\n\n  -- still nothing\n")).toEqual([]);
  });
});

describe("checksumSql", () => {
  it("is a stable sha256 that ignores line-ending style but not content", () => {
    const lf = checksumSql("SELECT 1;\nSELECT 2;\n");
    expect(lf).toMatch(/^[0-9a-f]{64}$/);
    expect(checksumSql("SELECT 1;\r\nSELECT 2;\r\n")).toBe(lf);
    expect(checksumSql("SELECT 1;\nSELECT 3;\n")).not.toBe(lf);
  });
});

describe("applyClusterPlaceholder", () => {
  const ddl = "CREATE TABLE IF NOT EXISTS t ON CLUSTER {cluster}\n(id String)";

  it("removes the clause on a single node", () => {
    expect(applyClusterPlaceholder(ddl, undefined)).toBe("CREATE TABLE IF NOT EXISTS t\n(id String)");
  });

  it("names the configured cluster and leaves server macros alone", () => {
    const replicated = `${ddl} ENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/t', '{replica}')`;
    expect(applyClusterPlaceholder(replicated, "spanlens")).toBe(
      "CREATE TABLE IF NOT EXISTS t ON CLUSTER `spanlens`\n(id String) ENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/t', '{replica}')",
    );
  });
});

describe("quoteIdentifier", () => {
  it("quotes plain identifiers and refuses anything that could escape them", () => {
    expect(quoteIdentifier("spanlens_test")).toBe("`spanlens_test`");
    expect(() => quoteIdentifier("x`; DROP DATABASE y")).toThrow(/not a plain identifier/);
  });
});
