import { setTimeout as sleep } from "node:timers/promises";
import { QueueName } from "@spanlens/core";
import { getQueue, getRedis, readIngestProblems } from "@spanlens/queue";
import { describe, expect, it } from "vitest";
import { freePort, waitFor } from "./pipeline-harness.js";
import {
  childEnv,
  exitOf,
  expectStoredOnce,
  queuedJobs,
  run,
  sendHeavyBeside,
  sendTraces,
  startWorkerProcess,
  useWorkerProcesses,
  workerHealthIngest,
} from "./worker-process-harness.js";

/**
 * An export that stops every worker process holding it (apps/worker/src/main.ts): one that
 * crashes it, and one it never finishes, on an encoding thread or on its event loop. Each
 * fails by itself, and the exports held beside it are stored once.
 */

useWorkerProcesses();

/**
 * The heavy export failed for good as BullMQ fails a job stalled too often, alone among the
 * file's new failures, and its project's ingest problems say the worker stopped each of `times`
 * times, the last with nothing beside it.
 */
async function expectFailedAfterStops(
  heavy: string,
  projectId: string,
  failedBefore: number,
  times: number,
): Promise<void> {
  const queue = getQueue(QueueName.OtlpIngest);
  expect((await queue.getJob(heavy))?.failedReason).toBe("job stalled more than allowable limit");
  expect((await queue.getFailedCount()) - failedBefore).toBe(1);
  const [problem] = await readIngestProblems(getRedis(), projectId);
  expect(problem).toMatchObject({
    stage: "worker",
    droppedRecords: 1,
    message: `The worker stopped (crashed, was killed or ran out of memory) each of the ${times} times it held this export`,
  });
  expect(problem?.note).toMatch(/The last time it ran with no other export beside it/);
}

describe("an export that stops every worker process holding it", () => {
  it("fails by itself once it runs alone, and the exports held beside it are stored once", async () => {
    // The export the test's kills stand for an out-of-memory killer's; the kill lands while
    // the worker encodes it.
    const { project, other, traceIds, heavy, failedBefore } = await sendHeavyBeside(
      { beside: "held beside", heavy: "stops its worker" },
      6,
    );
    const queue = getQueue(QueueName.OtlpIngest);

    let crashes = 0;
    const heldAtCrashes: number[] = [];
    for (let round = 0; round < 8 && (await queuedJobs()) > 0; round += 1) {
      // Rows wait in their batch for as long as the test runs, unless their job runs alone.
      // The lock outlasts the export's encoding on a busy machine (its event loop renews no
      // lock meanwhile), so that only the test's kills count stalls.
      const worker = await startWorkerProcess({
        WORKER_BATCH_MAX_WAIT_MS: "60000",
        WORKER_LOCK_DURATION_MS: "8000",
        WORKER_STALLED_INTERVAL_MS: "500",
        WORKER_MAX_STALLED_COUNT: "2",
      });
      // Held by this worker: a killed worker's jobs stay listed as active until the next
      // worker's stalled check hands them out again, which counts the stall. A job stalled too
      // often is handed out once more, marked to fail, and is active until the worker fails it:
      // that delivery is not one to kill.
      const seen = await waitFor(
        async () => {
          const active = (await queue.getActive()).find((job) => job.id === heavy);
          const holds = active?.stalledCounter === crashes && !active.deferredFailure;
          return { holds, left: await queuedJobs() };
        },
        ({ holds, left }) => holds || left === 0,
        60_000,
      );
      if (!seen.holds) {
        worker.kill("SIGTERM");
        expect(await exitOf(worker)).toBe(0);
        break;
      }
      await sleep(100);
      // On its last delivery it runs alone, which the worker's health endpoint shows.
      if (crashes === 2) {
        expect((await workerHealthIngest()).runningApart).toEqual({ jobs: 1, concurrency: 1 });
      }
      // What this worker holds carries its lock: a killed worker's jobs stay listed as active
      // until a stalled check hands them out again, but their locks expire.
      const active = await queue.getActive();
      const locked = await Promise.all(active.map((job) => getRedis().exists(`${queue.toKey(job.id as string)}:lock`)));
      heldAtCrashes.push(locked.filter((exists) => exists === 1).length);
      worker.kill("SIGKILL");
      await exitOf(worker);
      crashes += 1;
    }

    // Killed three times (WORKER_MAX_STALLED_COUNT 2), then failed when next fetched.
    expect(crashes).toBe(3);
    await expectFailedAfterStops(heavy, other.id, failedBefore, 3);
    // The first kill took every other export down with it, the second whichever of them the
    // next worker had been handed back by then; the third found it alone.
    expect(heldAtCrashes[0]).toBe(7);
    expect(heldAtCrashes[2]).toBe(1);
    await expectStoredOnce(project.id, traceIds);
  }, 240_000);
});

describe("an export whose encoding never ends", () => {
  it("in an encoding thread: the thread is stopped at the time limit, the export fails on its second attempt, the rest is stored", async () => {
    // The heavy export is past the limit below on every attempt, as one the decoder never
    // finishes would be.
    const { project, key, other, traceIds, heavy, failedBefore } = await sendHeavyBeside(
      { beside: "encoded beside", heavy: "never encoded" },
      4,
    );
    const queue = getQueue(QueueName.OtlpIngest);
    const worker = await startWorkerProcess({
      WORKER_ENCODE_THREADS: "1",
      WORKER_ENCODE_TIMEOUT_MS: "150",
      WORKER_BATCH_MAX_WAIT_MS: "200",
    });
    await waitFor(queuedJobs, (jobs) => jobs === 0, 60_000);

    const failed = await queue.getJob(heavy);
    expect(failed?.failedReason).toBe(
      "encoding a slice of this export took longer than 150 ms on two attempts, and was stopped both times",
    );
    expect(failed?.attemptsMade).toBe(2);
    expect((await queue.getFailedCount()) - failedBefore).toBe(1);
    // The worker writes problems in batches, a moment later.
    const [problem] = await waitFor(
      () => readIngestProblems(getRedis(), other.id),
      (problems) => problems.length > 0,
      10_000,
    );
    expect(problem).toMatchObject({ stage: "worker", droppedRecords: 1, message: failed?.failedReason });
    expect(problem?.note).toMatch(/ran past the worker's time limit on two attempts/);
    // The worker lives on, and the thread that replaced the stopped one encodes what comes next.
    traceIds.push(...(await sendTraces(key, 2)));
    await waitFor(queuedJobs, (jobs) => jobs === 0, 60_000);
    expect([worker.exitCode, worker.signalCode]).toEqual([null, null]);
    worker.kill("SIGTERM");
    expect(await exitOf(worker)).toBe(0);
    await expectStoredOnce(project.id, traceIds);
  }, 120_000);

  it("on the event loop: the watchdog kills the stuck worker, and once alone the export fails by itself", async () => {
    const { project, other, traceIds, heavy, failedBefore } = await sendHeavyBeside(
      { beside: "held beside a stuck loop", heavy: "blocks the loop" },
      6,
    );

    // Nothing here kills a worker: each one that ends was killed by its own watchdog, its loop
    // held past the limit by the export, which runs alone from its first stall on.
    const ends: Array<NodeJS.Signals | number | null> = [];
    for (let round = 0; round < 5 && (await queuedJobs()) > 0; round += 1) {
      // Not waited on until ready: a worker may be stuck before its health endpoint answers.
      const worker = run("apps/worker/src/main.ts", {
        ...childEnv(),
        WORKER_HEALTH_PORT: String(await freePort()),
        WORKER_ENCODE_THREADS: "0",
        WORKER_BLOCKED_EXIT_MS: "250",
        WORKER_BATCH_MAX_WAIT_MS: "60000",
        WORKER_LOCK_DURATION_MS: "2000",
        WORKER_STALLED_INTERVAL_MS: "500",
        WORKER_MAX_STALLED_COUNT: "1",
      });
      const exited = exitOf(worker).then(() => worker.signalCode ?? worker.exitCode);
      const settled = waitFor(queuedJobs, (jobs) => jobs === 0, 60_000).then(() => "settled" as const);
      const end = await Promise.race([exited, settled]);
      if (end === "settled") {
        worker.kill("SIGTERM");
        expect(await exitOf(worker)).toBe(0);
        break;
      }
      ends.push(end);
    }

    expect(ends).toEqual(["SIGKILL", "SIGKILL"]);
    await expectFailedAfterStops(heavy, other.id, failedBefore, 2);
    await expectStoredOnce(project.id, traceIds);
  }, 180_000);
});
