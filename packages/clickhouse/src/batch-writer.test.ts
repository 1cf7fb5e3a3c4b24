import type { ClickHouseClient } from "@clickhouse/client";
import { describe, expect, it, vi } from "vitest";
import { createBatchWriter } from "./batch-writer.js";

/** Records inserts; only `insert` is used by the writer. */
function recordingClient(options: { fail?: boolean } = {}) {
  const inserts: unknown[][] = [];
  const client = {
    insert: async ({ values }: { values: unknown[] }) => {
      if (options.fail) throw new Error("insert failed");
      inserts.push([...values]);
    },
  } as unknown as ClickHouseClient;
  return { client, inserts };
}

describe("createBatchWriter", () => {
  it("collects writes into one insert and resolves every writer after it", async () => {
    const { client, inserts } = recordingClient();
    const writer = createBatchWriter<number>(() => client, { table: "t", maxRows: 1000, maxWaitMs: 20 });
    await Promise.all([writer.write([1, 2]), writer.write([3]), writer.write([])]);
    expect(inserts).toEqual([[1, 2, 3]]);
  });

  it("flushes at maxRows without waiting for the timer", async () => {
    const { client, inserts } = recordingClient();
    const writer = createBatchWriter<number>(() => client, { table: "t", maxRows: 3, maxWaitMs: 60_000 });
    await Promise.all([writer.write([1, 2]), writer.write([3, 4])]);
    expect(inserts).toEqual([[1, 2, 3, 4]]);
  });

  it("flushes once maxWaiters writes wait, so concurrent jobs never idle on the timer", async () => {
    const { client, inserts } = recordingClient();
    const writer = createBatchWriter<number>(() => client, {
      table: "t",
      maxRows: 1000,
      maxWaitMs: 60_000,
      maxWaiters: 2,
    });
    await Promise.all([writer.write([1]), writer.write([2])]);
    expect(inserts).toEqual([[1, 2]]);
  });

  it("rejects every writer of a failed batch, and later batches still go through", async () => {
    const failing = recordingClient({ fail: true });
    let client = failing.client;
    const writer = createBatchWriter<number>(() => client, { table: "t", maxRows: 2, maxWaitMs: 10 });
    const results = await Promise.allSettled([writer.write([1]), writer.write([2])]);
    expect(results.map((result) => result.status)).toEqual(["rejected", "rejected"]);
    const healthy = recordingClient();
    client = healthy.client;
    await writer.write([3]);
    expect(healthy.inserts).toEqual([[3]]);
  });

  it("runs up to maxInFlight inserts at once and grows the next batch while every slot is busy", async () => {
    const started: number[][] = [];
    const release: (() => void)[] = [];
    const client = {
      insert: ({ values }: { values: number[] }) =>
        new Promise<void>((resolve) => {
          started.push([...values]);
          release.push(resolve);
        }),
    } as unknown as ClickHouseClient;
    const writer = createBatchWriter<number>(() => client, {
      table: "t",
      maxRows: 1000,
      maxWaitMs: 60_000,
      maxWaiters: 1,
      maxInFlight: 2,
    });
    const first = writer.write([1]);
    const second = writer.write([2]);
    // Both slots are busy: these two are due but wait, collected into one batch.
    const third = writer.write([3]);
    const fourth = writer.write([4]);
    expect(started).toEqual([[1], [2]]);
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
    const writer = createBatchWriter<number>(() => client, {
      table: "t",
      maxRows: 1000,
      maxWaitMs: 60_000,
      maxInFlight: 1,
    });
    const writes = [writer.write([1]), writer.write([2])];
    await writer.flush();
    expect(inserts).toEqual([[1, 2]]);
    await Promise.all(writes);
  });
});
