import { randomUUID } from "node:crypto";
import { once } from "node:events";
import { setTimeout as sleep } from "node:timers/promises";
import { Queue } from "bullmq";
import { afterAll, describe, expect, it, vi } from "vitest";
import { deleteQueuePrefix, GatheringWorker } from "./queues.js";
import { createRedis } from "./redis.js";

const prefix = `test-${randomUUID()}`;
const admin = createRedis();

afterAll(async () => {
  await deleteQueuePrefix(prefix, admin);
  await admin.quit();
});

/** A queue of its own and a gathering worker on it that records when each job started. */
function setUp(gatherMs: number, concurrency: number) {
  const name = `gather-${randomUUID()}`;
  const queue = new Queue(name, { connection: createRedis(), prefix });
  const started = new Map<string, number>();
  const worker = new GatheringWorker<{ index: number }, void>(
    name,
    async (job) => {
      started.set(String(job.data.index), Date.now());
    },
    { connection: createRedis(), prefix, concurrency, autorun: false },
    gatherMs,
  );
  /** Starts the worker and resolves once its first fetch has found the queue empty. */
  const runUntilDrained = async () => {
    const drained = once(worker, "drained");
    void worker.run();
    await drained;
  };
  /** Resolves once `count` jobs have started (polled every 10 ms, so timings stay close). */
  const untilStarted = (count: number, timeout: number) =>
    vi.waitFor(() => expect(started.size).toBe(count), { timeout, interval: 10 });
  const close = async () => {
    await worker.close();
    await queue.close();
  };
  return { queue, worker, started, runUntilDrained, untilStarted, close };
}

describe("GatheringWorker", () => {
  it("takes the jobs that arrive at an empty queue together, once its gathering interval has passed", async () => {
    const gatherMs = 1_000;
    const { queue, started, runUntilDrained, untilStarted, close } = setUp(gatherMs, 10);
    try {
      await runUntilDrained();
      // Four jobs over 300 ms: a plain worker starts each as it arrives.
      const firstAddedAt = Date.now();
      for (let index = 0; index < 4; index += 1) {
        if (index > 0) await sleep(100);
        await queue.add("job", { index });
      }
      const lastAddedAt = Date.now();
      await untilStarted(4, 10_000);
      // All four arrived within the interval that the first one opened ...
      expect(lastAddedAt - firstAddedAt).toBeLessThan(gatherMs);
      const starts = [...started.values()];
      // ... none started before it had passed ...
      expect(Math.min(...starts) - firstAddedAt).toBeGreaterThanOrEqual(gatherMs - 10);
      // ... and they were fetched back to back, closer together than they arrived.
      expect(Math.max(...starts) - Math.min(...starts)).toBeLessThan(200);
    } finally {
      await close();
    }
  });

  it("still takes the job it was woken for when paused during its wait", async () => {
    const gatherMs = 500;
    const { queue, worker, runUntilDrained, untilStarted, close } = setUp(gatherMs, 10);
    try {
      await runUntilDrained();
      const addedAt = Date.now();
      await queue.add("job", { index: 0 });
      await sleep(100);
      await worker.pause();
      worker.resume();
      // Had the wait dropped the job, only a blocked worker's 5 s timeout would find it again.
      await untilStarted(1, 10_000);
      expect(Date.now() - addedAt).toBeLessThan(3_000);
    } finally {
      await close();
    }
  });

  it("does not wait while jobs are queued, and closes without finishing its wait", { timeout: 60_000 }, async () => {
    const gatherMs = 10_000;
    const { queue, worker, untilStarted, close } = setUp(gatherMs, 5);
    try {
      await queue.addBulk(Array.from({ length: 50 }, (_, index) => ({ name: "job", data: { index } })));
      const startedAt = Date.now();
      void worker.run();
      await untilStarted(50, 3 * gatherMs);
      // The queue was never empty until the last job, so no fetch waited the interval.
      expect(Date.now() - startedAt).toBeLessThan(gatherMs / 2);
      // Now it waits the interval before fetching again (each fetch re-announces a job, so the
      // last one found the queue empty); closing ends that wait.
      await sleep(50);
      const closingAt = Date.now();
      await worker.close();
      expect(Date.now() - closingAt).toBeLessThan(gatherMs / 2);
    } finally {
      await close();
    }
  });
});
