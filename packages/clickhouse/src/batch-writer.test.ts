import type { ClickHouseClient } from "@clickhouse/client";
import { describe, expect, it, vi } from "vitest";
import {
  createBatchWriter,
  createRowEncoder,
  encodeRows,
  INSERT_SETTINGS,
  insertRows,
  type TEncodedRows,
} from "./batch-writer.js";

const rows = (...values: number[]): TEncodedRows | null => encodeRows(values.map((n) => ({ n })));

/** Reads back the single-column values of an `exec` insert's JSONCompactEachRow body. */
async function readValues(params: { query: string; values: AsyncIterable<Uint8Array> }): Promise<number[]> {
  expect(params.query).toBe(`INSERT INTO \`t\` (\`n\`) SETTINGS ${INSERT_SETTINGS} FORMAT JSONCompactEachRow`);
  const chunks: Uint8Array[] = [];
  for await (const chunk of params.values) chunks.push(chunk);
  return Buffer.concat(chunks)
    .toString("utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => (JSON.parse(line) as number[])[0] as number);
}

const drained = { stream: { resume: () => undefined } };

/** Records inserts; only `exec` is used by the writer. */
function recordingClient(options: { fail?: boolean } = {}) {
  const inserts: number[][] = [];
  const client = {
    exec: async (params: { query: string; values: AsyncIterable<Uint8Array> }) => {
      if (options.fail) throw new Error("insert failed");
      inserts.push(await readValues(params));
      return drained;
    },
  } as unknown as ClickHouseClient;
  return { client, inserts };
}

describe("createBatchWriter", () => {
  it("collects writes into one insert and resolves every writer after it", async () => {
    const { client, inserts } = recordingClient();
    const writer = createBatchWriter(() => client, { table: "t", maxRows: 1000, maxWaitMs: 20 });
    await Promise.all([writer.write(rows(1, 2)), writer.write(rows(3)), writer.write(rows()), writer.write(null)]);
    expect(inserts).toEqual([[1, 2, 3]]);
  });

  it("flushes at maxRows without waiting for the timer", async () => {
    const { client, inserts } = recordingClient();
    const writer = createBatchWriter(() => client, { table: "t", maxRows: 3, maxWaitMs: 60_000 });
    await Promise.all([writer.write(rows(1, 2)), writer.write(rows(3, 4))]);
    expect(inserts).toEqual([[1, 2, 3, 4]]);
  });

  it("flushes once maxWaiters writes wait, so concurrent jobs never idle on the timer", async () => {
    const { client, inserts } = recordingClient();
    const writer = createBatchWriter(() => client, { table: "t", maxRows: 1000, maxWaitMs: 60_000, maxWaiters: 2 });
    await Promise.all([writer.write(rows(1)), writer.write(rows(2))]);
    expect(inserts).toEqual([[1, 2]]);
  });

  it("inserts at once a write that asks for it, with what was pending", async () => {
    const { client, inserts } = recordingClient();
    const writer = createBatchWriter(() => client, { table: "t", maxRows: 1000, maxWaitMs: 60_000 });
    const pending = writer.write(rows(1));
    await writer.write(rows(2, 3), { now: true });
    await pending;
    expect(inserts).toEqual([[1, 2, 3]]);
  });

  it("rejects every writer of a failed batch, and later batches still go through", async () => {
    const failing = recordingClient({ fail: true });
    let client = failing.client;
    const writer = createBatchWriter(() => client, { table: "t", maxRows: 2, maxWaitMs: 10 });
    const results = await Promise.allSettled([writer.write(rows(1)), writer.write(rows(2))]);
    expect(results.map((result) => result.status)).toEqual(["rejected", "rejected"]);
    const healthy = recordingClient();
    client = healthy.client;
    await writer.write(rows(3));
    expect(healthy.inserts).toEqual([[3]]);
  });

  it("halves a batch the engine refuses a row of, until only the write holding that row fails", async () => {
    const attempts: number[][] = [];
    const stored: number[][] = [];
    const client = {
      exec: async (params: { query: string; values: AsyncIterable<Uint8Array> }) => {
        const values = await readValues(params);
        attempts.push(values);
        // As the engine answers a negative value for a UInt64 column.
        if (values.some((value) => value < 0)) {
          throw Object.assign(new Error("Unsigned type must not contain '-' symbol\nRow 1: ..."), {
            code: "72",
            type: "CANNOT_PARSE_NUMBER",
          });
        }
        stored.push(values);
        return drained;
      },
    } as unknown as ClickHouseClient;
    const writer = createBatchWriter(() => client, { table: "t", maxRows: 1000, maxWaitMs: 10 });
    const writes = [rows(1, 2), rows(3), rows(4, -5), rows(6), rows(7), rows(8), rows(9), rows(10)];
    const results = await Promise.allSettled(writes.map((write) => writer.write(write)));

    expect(results.map((result) => result.status)).toEqual([
      "fulfilled",
      "fulfilled",
      "rejected",
      "fulfilled",
      "fulfilled",
      "fulfilled",
      "fulfilled",
      "fulfilled",
    ]);
    expect((results[2] as PromiseRejectedResult).reason).toMatchObject({
      message: "ClickHouse refused rows of this request for t: Unsigned type must not contain '-' symbol",
    });
    expect(stored.flat().sort((a, b) => a - b)).toEqual([1, 2, 3, 6, 7, 8, 9, 10]);
    // 8 writes, one bad: the batch, then halves of 4, 2 and 1 writes on the bad side, while
    // each good half goes in whole: 7 inserts, 4 of them stored, instead of one per write.
    expect(attempts).toEqual([
      [1, 2, 3, 4, -5, 6, 7, 8, 9, 10],
      [1, 2, 3, 4, -5, 6],
      [1, 2, 3],
      [4, -5, 6],
      [4, -5],
      [6],
      [7, 8, 9, 10],
    ]);
  });

  it("rejects rows whose columns differ from the batch's", async () => {
    const { client } = recordingClient();
    const writer = createBatchWriter(() => client, { table: "t", maxRows: 1000, maxWaitMs: 10 });
    const first = writer.write(rows(1));
    await expect(writer.write(encodeRows([{ m: 2 }]))).rejects.toThrow(/must share one column list/);
    await first;
  });

  it("runs up to maxInFlight inserts at once and grows the next batch while every slot is busy", async () => {
    const started: number[][] = [];
    const release: (() => void)[] = [];
    const client = {
      exec: async (params: { query: string; values: AsyncIterable<Uint8Array> }) => {
        started.push(await readValues(params));
        await new Promise<void>((resolve) => release.push(resolve));
        return drained;
      },
    } as unknown as ClickHouseClient;
    const writer = createBatchWriter(() => client, {
      table: "t",
      maxRows: 1000,
      maxWaitMs: 60_000,
      maxWaiters: 1,
      maxInFlight: 2,
    });
    const first = writer.write(rows(1));
    const second = writer.write(rows(2));
    // Both slots are busy: these two are due but wait, collected into one batch.
    const third = writer.write(rows(3));
    const fourth = writer.write(rows(4));
    await vi.waitFor(() => expect(started).toEqual([[1], [2]]));
    expect(writer.pendingRows).toBe(2);
    release[0]?.();
    await first;
    await vi.waitFor(() => expect(started).toEqual([[1], [2], [3, 4]]));
    release[1]?.();
    release[2]?.();
    await Promise.all([second, third, fourth]);
    expect(writer.pendingRows).toBe(0);
  });

  it("flush waits for running inserts and the batch queued behind them", async () => {
    const { client, inserts } = recordingClient();
    const writer = createBatchWriter(() => client, { table: "t", maxRows: 1000, maxWaitMs: 60_000, maxInFlight: 1 });
    const writes = [writer.write(rows(1)), writer.write(rows(2))];
    await writer.flush();
    expect(inserts).toEqual([[1, 2]]);
    await Promise.all(writes);
  });
});

describe("encodeRows / insertRows", () => {
  it("encodes rows as arrays under one column list, in the rows' key order, as UTF-8 bytes", async () => {
    const encoded = encodeRows([
      { trace_id: "a", tags: ["x"], score: null },
      { trace_id: "b", tags: ["café", "日本"], score: 0.5 },
    ]);
    expect(encoded && { ...encoded, text: Buffer.from(encoded.text).toString("utf8") }).toEqual({
      columns: ["trace_id", "tags", "score"],
      text: '["a",["x"],null]\n["b",["café","日本"],0.5]\n',
      rows: 2,
    });
    // Sized to the bytes: multi-byte characters counted, nothing left over.
    expect(encoded?.text.byteLength).toBe(Buffer.byteLength('["a",["x"],null]\n["b",["café","日本"],0.5]\n'));
    expect(encodeRows([])).toBeNull();
  });

  it("keeps every row of encoders that run side by side, past their first buffer, and none of an earlier one's", () => {
    const text = (encoded: TEncodedRows | null) => (encoded ? Buffer.from(encoded.text).toString("utf8") : null);
    // Each encoder's buffer goes to the next one once it is finished: the first leaves long rows in it.
    const first = createRowEncoder<{ s: string }>();
    first.add({ s: "z".repeat(50_000) });
    expect(text(first.finish())).toBe(`["${"z".repeat(50_000)}"]\n`);

    const spans = createRowEncoder<{ id: number; body: string }>();
    const scores = createRowEncoder<{ id: number }>();
    const expected: string[] = [];
    // 40 rows of ~4 KB in multi-byte text: ~200 KB, three times what an encoder starts with.
    for (let id = 0; id < 40; id += 1) {
      const body = `é${"日本".repeat(id * 30)}`.padEnd(4000, "x");
      spans.add({ id, body });
      scores.add({ id });
      expected.push(JSON.stringify([id, body]));
    }
    const encoded = spans.finish();
    expect(text(encoded)).toBe(`${expected.join("\n")}\n`);
    expect(encoded?.text.byteLength).toBe(Buffer.byteLength(`${expected.join("\n")}\n`));
    expect({ rows: encoded?.rows, bytes: spans.bytes }).toEqual({ rows: 40, bytes: encoded?.text.byteLength });
    expect(text(scores.finish())).toBe(`${Array.from({ length: 40 }, (_, id) => `[${id}]`).join("\n")}\n`);
    // Finished rows are not added to again.
    expect(() => scores.add({ id: 40 })).toThrow(/added to rows already finished/);
    expect(createRowEncoder().finish()).toBeNull();
  });

  it("inserts nothing for no rows", async () => {
    const { client, inserts } = recordingClient();
    await insertRows(client, "t", []);
    await insertRows(client, "t", [{ n: 7 }]);
    expect(inserts).toEqual([[7]]);
  });
});
