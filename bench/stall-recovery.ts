/**
 * What running stalled jobs apart costs. A worker that dies holds up to 1,024 ingest jobs, and
 * from a job's second stall the next worker runs it apart (`runsApart` in packages/queue): among
 * ever fewer jobs (128 at the second stall, 16 at the third, 2 at the fourth), and alone on its
 * last delivery (the fifth, `WORKER_MAX_STALLED_COUNT`), its rows inserted at once. This queues
 * BENCH_STALL_JOBS exports of the ingest benchmark's mix with no worker running, marks them as
 * stalled so many times (what BullMQ's stalled check writes when it hands out the jobs of a
 * worker that died), starts a worker process and times it from ready to the queue drained.
 * Rounds cycle through stalled once (batched as usual), twice and five times, so they are
 * compared in one run.
 *
 * Needs DATABASE_URL and REDIS_URL, as `pnpm bench:ingest` does (docs/benchmarks.md).
 */
import { availableParallelism, loadavg } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { gzipSync } from "node:zlib";
import { INGEST_DEFAULTS, workerNodeFlags } from "../apps/worker/src/index.js";
import { QueueName } from "../packages/core/src/index.js";
import { getQueue, getRedis } from "../packages/queue/src/index.js";
import { buildTemplate, SPANS_PER_REQUEST, withFreshIds } from "./ingest-bodies.js";
import { startWorkerProcess, terminate } from "./ingest-processes.js";
import { RawHttpPool } from "./raw-http.js";
import { startScaledServices } from "./scaled-services.js";
import { emitResult, envNumber, median, round } from "./stats.js";

/** Exports queued per round: what one worker holds at its default concurrency. */
const JOBS = envNumber("BENCH_STALL_JOBS", INGEST_DEFAULTS.concurrency);
const ROUNDS = envNumber("BENCH_STALL_ROUNDS", 3);
const RECEIVER_PORT = envNumber("BENCH_RECEIVER_PORT", 24318);
const CLICKHOUSE_PORT = envNumber("BENCH_CLICKHOUSE_PORT", 28123);
const WORKER_HEALTH_PORT = envNumber("BENCH_WORKER_HEALTH_PORT", 23030);
/** Batched as usual, in groups of 128, and alone (the worker's default `maxStalledCount`, 5). */
const STALLS = [1, 2, 5];

async function main() {
  const services = await startScaledServices({ receiver: RECEIVER_PORT, clickhouse: CLICKHOUSE_PORT });
  const { clickhouse, pipeline, receiver } = services;
  const queue = getQueue(QueueName.OtlpIngest);
  const pool = new RawHttpPool(
    new URL("/v1/traces", receiver.baseUrl),
    {
      "content-type": "application/x-protobuf",
      "content-encoding": "gzip",
      authorization: `Bearer ${pipeline.secretKey}`,
    },
    8,
  );
  const templates = Array.from({ length: 400 }, (_, index) => buildTemplate(index));
  const rounds: { stalled: number; drainSeconds: number; jobsPerSecond: number }[] = [];
  try {
    for (let round_ = 0; round_ < STALLS.length * ROUNDS; round_ += 1) {
      const stalled = STALLS[round_ % STALLS.length] as number;
      let next = 0;
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          for (let index = next++; index < JOBS; index = next++) {
            const { raw } = withFreshIds(templates[index % templates.length] as (typeof templates)[number]);
            const status = await pool.post(gzipSync(raw, { level: 1 }));
            if (status !== 200) throw new Error(`the receiver answered ${status}`);
          }
        }),
      );
      // As BullMQ's stalled check leaves the jobs of a worker that died: back in the queue, counted.
      const jobs = await queue.getWaiting(0, -1);
      if (jobs.length !== JOBS) throw new Error(`expected ${JOBS} waiting jobs, found ${jobs.length}`);
      const marks = getRedis().pipeline();
      for (const job of jobs) marks.hset(queue.toKey(job.id as string), "stc", stalled);
      await marks.exec();

      const worker = await startWorkerProcess(clickhouse.url, WORKER_HEALTH_PORT, workerNodeFlags());
      const start = Date.now();
      for (;;) {
        const counts = await queue.getJobCounts("waiting", "active", "prioritized");
        if (Object.values(counts).every((count) => count === 0)) break;
        await sleep(50);
      }
      const seconds = (Date.now() - start) / 1000;
      await terminate(worker.child, "worker");
      rounds.push({ stalled, drainSeconds: round(seconds, 2), jobsPerSecond: Math.round(JOBS / seconds) });
      console.error(`round ${round_ + 1}: stalled ${stalled}× — ${JOBS} jobs in ${round(seconds, 2)} s`);
    }
    const drain = (stalled: number) => median(rounds.filter((r) => r.stalled === stalled).map((r) => r.drainSeconds));
    const result = {
      date: new Date().toISOString(),
      machine: { cpus: availableParallelism(), loadavg1: round(loadavg()[0] ?? 0, 2) },
      settings: { jobs: JOBS, spansPerJob: SPANS_PER_REQUEST, rounds: ROUNDS },
      rounds,
      medianDrainSeconds: { batched: drain(1), inGroups: drain(2), alone: drain(5) },
      toBatched: { inGroups: round(drain(2) / drain(1), 2), alone: round(drain(5) / drain(1), 2) },
      aloneMsPerJob: round((drain(5) * 1000) / JOBS, 1),
    };
    await emitResult(result);
  } finally {
    pool.destroy();
    await services.stop();
  }
}

await main();
process.exit(0);
