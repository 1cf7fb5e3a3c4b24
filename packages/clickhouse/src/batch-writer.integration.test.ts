import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBatchWriter, encodeRows, RefusedRowsError } from "./batch-writer.js";
import { closeClickHouse, getClickHouse, initClickHouse } from "./registry.js";

// Real embedded ClickHouse (chdb) in this file's own data directory and database.
let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), "spanlens-ch-batch-"));
  await initClickHouse({ mode: "embedded", path: dataDir, database: "batch_it" });
  await getClickHouse().command({
    query: "CREATE TABLE rows (n UInt64, s String) ENGINE = MergeTree ORDER BY n",
  });
});

afterAll(async () => {
  await closeClickHouse();
  await rm(dataDir, { recursive: true, force: true });
});

describe("createBatchWriter against the engine", () => {
  it("fails only the writes whose rows the engine refuses, and stores a lone surrogate as sent", async () => {
    const writer = createBatchWriter(getClickHouse, { table: "rows", maxRows: 1_000, maxWaitMs: 20 });
    const write = (...rows: { n: number; s: string }[]) => writer.write(encodeRows(rows));
    const results = await Promise.allSettled([
      write({ n: 1, s: "a" }, { n: 2, s: "b" }),
      // A negative value and a fraction for a UInt64 column: each fails the insert it is in.
      write({ n: -5, s: "negative" }),
      write({ n: 3, s: "c" }),
      write({ n: 1.5, s: "fraction" }),
      // What OTLP/JSON's "\ud800" escape decodes to.
      write({ n: 4, s: "lone \ud800 surrogate" }),
      write({ n: 5, s: "e" }),
    ]);
    expect(results.map((result) => result.status)).toEqual([
      "fulfilled",
      "rejected",
      "fulfilled",
      "rejected",
      "fulfilled",
      "fulfilled",
    ]);
    expect((results[1] as PromiseRejectedResult).reason.message).toMatch(
      /^ClickHouse refused rows of this request for rows: Unsigned type must not contain '-' symbol/,
    );
    expect((results[3] as PromiseRejectedResult).reason.message).toMatch(
      /^ClickHouse refused rows of this request for rows: Cannot parse input/,
    );
    // Its own class, which the worker reports to the project the rows came from.
    expect((results[1] as PromiseRejectedResult).reason).toBeInstanceOf(RefusedRowsError);
    const stored = await getClickHouse().query({ query: "SELECT n FROM rows ORDER BY n", format: "JSONEachRow" });
    expect((await stored.json<{ n: number | string }>()).map((row) => Number(row.n))).toEqual([1, 2, 3, 4, 5]);
  });
});
