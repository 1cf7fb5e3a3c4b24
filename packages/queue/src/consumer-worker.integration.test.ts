import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { once } from "node:events";
import path from "node:path";
import { createInterface } from "node:readline";
import { setTimeout as sleep } from "node:timers/promises";
import { Queue } from "bullmq";
import { afterAll, describe, expect, it, vi } from "vitest";
import { ConsumerWorker } from "./consumer-worker.js";
import { deleteQueuePrefix } from "./queues.js";
import { createRedis } from "./redis.js";

const prefix = `test-${randomUUID()}`;
const admin = createRedis();
const children = new Set<ChildProcess>();

afterAll(async () => {
  for (const child of children) child.kill("SIGKILL");
  await deleteQueuePrefix(prefix, admin);
  await admin.quit();
});

/** A queue of its own and a gathering worker on it that records when each job started. */
function setUp(gatherMs: number, concurrency: number) {
  const name = `gather-${randomUUID()}`;
  const queue = new Queue(name, { connection: createRedis(), prefix });
  const started = new Map<string, number>();
  const worker = new ConsumerWorker<{ index: number }, void>(
    name,
    async (job) => {
      started.set(String(job.data.index), Date.now());
    },
    { connection: createRedis(), prefix, concurrency, autorun: false },
    { gatherMs },
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

describe("ConsumerWorker gathering jobs", () => {
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

describe("ConsumerWorker closing", () => {
  it("resolves close() only once its active jobs have ended and what runs after them has finished", async () => {
    const name = `close-${randomUUID()}`;
    const queue = new Queue(name, { connection: createRedis(), prefix });
    const events: string[] = [];
    const worker = new ConsumerWorker<{ index: number }, void>(
      name,
      async () => {
        events.push("job started");
        await sleep(300);
        events.push("job ended");
      },
      { connection: createRedis(), prefix, concurrency: 1 },
      {
        afterClose: async () => {
          await sleep(300);
          events.push("after close");
        },
      },
    );
    try {
      await queue.add("job", { index: 0 });
      await vi.waitFor(() => expect(events).toEqual(["job started"]), { timeout: 10_000, interval: 10 });
      await worker.close();
      events.push("closed");
      expect(events).toEqual(["job started", "job ended", "after close", "closed"]);
    } finally {
      await queue.close();
    }
  });
});

/** A consumer process (test/crashing-consumer.ts) on `queue`, and the `started` lines it prints. */
function startConsumer(queue: Queue, jobMs: number) {
  const child = spawn(
    process.execPath,
    [
      "--conditions=@spanlens/source",
      "--import",
      "tsx",
      path.join(import.meta.dirname, "../test/crashing-consumer.ts"),
    ],
    {
      env: { ...process.env, CONSUMER_QUEUE: queue.name, CONSUMER_PREFIX: prefix, CONSUMER_JOB_MS: String(jobMs) },
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  children.add(child);
  child.once("exit", () => children.delete(child));
  const started: { jobId: string; running: number; stalled: number }[] = [];
  const ended = new Set<string>();
  createInterface({ input: child.stdout as NonNullable<ChildProcess["stdout"]> }).on("line", (line) => {
    const [word, jobId, running, stalled] = line.split(" ");
    if (word === "started" && jobId) started.push({ jobId, running: Number(running), stalled: Number(stalled) });
    if (word === "ended" && jobId) ended.add(jobId);
  });
  const exited = new Promise<NodeJS.Signals | null>((resolve) =>
    child.once("exit", (_code, signal) => resolve(signal)),
  );
  /** The jobs it was running: started and not ended. */
  const running = () =>
    started
      .map((start) => start.jobId)
      .filter((jobId) => !ended.has(jobId))
      .sort();
  return { child, started, exited, running };
}

describe("ConsumerWorker running jobs that keep stalling apart", () => {
  it("fails a job that crashes every worker it reaches by itself, and stores the jobs fetched beside it", {
    timeout: 120_000,
  }, async () => {
    const queue = new Queue(`apart-${randomUUID()}`, { connection: createRedis(), prefix });
    try {
      // Eight jobs in all, so that in groups of two the one that crashes always has a partner.
      const innocent = Array.from({ length: 7 }, (_, index) => `job-${index}`);
      await queue.addBulk([
        ...innocent.slice(0, 3).map((jobId) => ({ name: "job", data: {}, opts: { jobId } })),
        { name: "job", data: { crashes: true }, opts: { jobId: "crashes" } },
        ...innocent.slice(3).map((jobId) => ({ name: "job", data: {}, opts: { jobId } })),
      ]);
      const unsettled = async () => {
        const counts = await queue.getJobCounts("waiting", "active", "delayed", "prioritized");
        return Object.values(counts).reduce((sum, count) => sum + count, 0);
      };
      // Each consumer runs until the job crashes it. (Redis's active list is no record of what
      // it held: a dead worker's jobs stay listed until a stalled check hands them out again.)
      const heldAtCrashes: string[][] = [];
      const consumers: ReturnType<typeof startConsumer>[] = [];
      for (let round = 0; round < 8 && (await unsettled()) > 0; round += 1) {
        const consumer = startConsumer(queue, 2_000);
        consumers.push(consumer);
        const outcome = await Promise.race([
          consumer.exited.then((signal) => ({ crashed: signal === "SIGKILL" })),
          vi
            .waitFor(async () => expect(await unsettled()).toBe(0), { timeout: 60_000, interval: 100 })
            .then(() => ({ crashed: false })),
        ]);
        if (!outcome.crashed) break;
        heldAtCrashes.push(consumer.running());
      }

      // Four crashes (maxStalledCount 3): the job failed at its fourth stall, when it was fetched next.
      const crashed = await queue.getJob("crashes");
      expect(await crashed?.getState()).toBe("failed");
      expect(crashed?.failedReason).toBe("job stalled more than allowable limit");
      // The first crash took down every job fetched beside it, the second whichever of them the
      // next worker had been handed back by then. Stalled twice, the jobs ran in groups of two
      // (16 / 8), and it took at most one job down; on its last delivery it ran alone.
      expect(heldAtCrashes).toHaveLength(4);
      expect(heldAtCrashes[0]).toEqual(["crashes", ...innocent].sort());
      expect(heldAtCrashes[1]).toContain("crashes");
      expect(heldAtCrashes[2]).toContain("crashes");
      expect(heldAtCrashes[2]?.length).toBeLessThanOrEqual(2);
      expect(heldAtCrashes[3]).toEqual(["crashes"]);
      // Every other job was stored, none failed.
      const states = await Promise.all(innocent.map(async (jobId) => (await queue.getJob(jobId))?.getState()));
      expect(states).toEqual(innocent.map(() => "completed"));
      expect(await queue.getFailedCount()).toBe(1);
      // How many jobs ran at once, by how often the job running had stalled.
      const starts = consumers.flatMap((consumer) => consumer.started);
      const mostRunning = (stalled: number) =>
        Math.max(...starts.filter((start) => start.stalled === stalled).map((start) => start.running));
      expect(mostRunning(0)).toBe(8);
      expect(mostRunning(2)).toBeLessThanOrEqual(2);
      expect(mostRunning(3)).toBe(1);

      // The last consumer went back to its concurrency: ten new jobs run at once.
      const consumer = consumers.at(-1);
      if (!consumer) throw new Error("no consumer ran");
      const startedBefore = consumer.started.length;
      await queue.addBulk(
        Array.from({ length: 10 }, (_, index) => ({ name: "job", data: {}, opts: { jobId: `new-${index}` } })),
      );
      await vi.waitFor(async () => expect(await unsettled()).toBe(0), { timeout: 30_000, interval: 100 });
      const after = consumer.started.slice(startedBefore);
      expect(after.map((start) => start.jobId).sort()).toEqual(
        Array.from({ length: 10 }, (_, index) => `new-${index}`).sort(),
      );
      expect(Math.max(...after.map((start) => start.running))).toBe(10);
      consumer.child.kill("SIGTERM");
      await consumer.exited;
    } finally {
      await queue.close();
    }
  });
});
