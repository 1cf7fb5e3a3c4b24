/**
 * Two projects on one pipeline (receiver, worker and ClickHouse each in its own process, as
 * the scaled layout deploys them): a busy project backfills as fast as the receiver takes
 * it, while a quiet one sends one trace every `BENCH_QUIET_INTERVAL_MS`. Measures how long
 * each project's traces take from the 200 to queryable while the backfill's backlog waits
 * for the worker, and the queue's depth. In one run the quiet project's lag is set against
 * the busy project's, for traces acknowledged over the same seconds: with one FIFO queue
 * the two are alike, since both wait behind the whole backlog.
 *
 * Needs DATABASE_URL and REDIS_URL, as `pnpm bench:ingest` does (docs/benchmarks.md).
 */
import { availableParallelism, loadavg } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { gzipSync } from "node:zlib";
import { workerNodeFlags } from "../apps/worker/src/index.js";
import { QueueName } from "../packages/core/src/index.js";
import { getQueue, waitingExports } from "../packages/queue/src/index.js";
import { buildTemplate, SPANS_PER_REQUEST, type TTemplate, withFreshIds } from "./ingest-bodies.js";
import { latencySummary } from "./ingest-measure.js";
import { findTraces } from "./ingest-phase.js";
import { startWorkerProcess, terminate } from "./ingest-processes.js";
import { RawHttpPool } from "./raw-http.js";
import { startScaledServices } from "./scaled-services.js";
import { emitResult, envNumber, round } from "./stats.js";

/** The busy project's backfill, in requests of 10 spans. */
const BUSY_REQUESTS = envNumber("BENCH_BUSY_REQUESTS", 20_000);
/** How many requests the busy project keeps in flight. */
const BUSY_CONCURRENCY = envNumber("BENCH_BUSY_CONCURRENCY", 16);
const QUIET_INTERVAL_MS = envNumber("BENCH_QUIET_INTERVAL_MS", 250);
/** Every n-th busy request is followed to queryable. */
const BUSY_SAMPLE_EVERY = 20;
const RECEIVER_PORT = envNumber("BENCH_RECEIVER_PORT", 24318);
const CLICKHOUSE_PORT = envNumber("BENCH_CLICKHOUSE_PORT", 28123);
const WORKER_HEALTH_PORT = envNumber("BENCH_WORKER_HEALTH_PORT", 23030);
const QUERYABLE_TIMEOUT_MS = 180_000;

type TSample = { traceId: string; ackAt: number; lagMs?: number };

/** Gzipped OTLP/HTTP protobuf bodies of the benchmark's mix, each with its trace id. */
function prepareBodies(templates: TTemplate[], count: number, offset: number) {
  return Array.from({ length: count }, (_, index) => {
    const { raw, traceId } = withFreshIds(templates[(offset + index) % templates.length] as TTemplate);
    return { body: gzipSync(raw, { level: 1 }), traceId };
  });
}

function poolFor(baseUrl: string, secretKey: string, connections: number): RawHttpPool {
  return new RawHttpPool(
    new URL("/v1/traces", baseUrl),
    {
      "content-type": "application/x-protobuf",
      "content-encoding": "gzip",
      authorization: `Bearer ${secretKey}`,
    },
    connections,
  );
}

/** Follows sampled traces until each is queryable, recording its lag from the 200. */
function createLagTracker(projectId: string) {
  const pending = new Map<string, TSample>();
  const done: TSample[] = [];
  return {
    add(sample: TSample) {
      pending.set(sample.traceId, sample);
    },
    async poll() {
      if (pending.size === 0) return;
      const found = await findTraces(projectId, [...pending.keys()]);
      const now = Date.now();
      for (const traceId of found) {
        const sample = pending.get(traceId);
        if (!sample) continue;
        sample.lagMs = now - sample.ackAt;
        done.push(sample);
        pending.delete(traceId);
      }
    },
    pending: () => pending.size,
    done: () => done,
  };
}

/** Lags of the samples acknowledged between `from` and `to`. */
const lagsBetween = (samples: TSample[], from: number, to: number) =>
  samples.filter((sample) => sample.ackAt >= from && sample.ackAt <= to).map((sample) => sample.lagMs ?? 0);

async function main() {
  const services = await startScaledServices({ receiver: RECEIVER_PORT, clickhouse: CLICKHOUSE_PORT });
  const { pipeline, receiver } = services;
  const worker = await startWorkerProcess(services.clickhouse.url, WORKER_HEALTH_PORT, workerNodeFlags());
  try {
    const quiet = await pipeline.createProject();
    const templates = Array.from({ length: 400 }, (_, index) => buildTemplate(index));
    const busyBodies = prepareBodies(templates, BUSY_REQUESTS, 0);
    const busyPool = poolFor(receiver.baseUrl, pipeline.secretKey, BUSY_CONCURRENCY);
    const quietPool = poolFor(receiver.baseUrl, quiet.secretKey, 1);
    const busyLags = createLagTracker(pipeline.projectId);
    const quietLags = createLagTracker(quiet.projectId);
    const statuses = { busy: new Map<number, number>(), quiet: new Map<number, number>() };
    const count = (map: Map<number, number>, status: number) => map.set(status, (map.get(status) ?? 0) + 1);

    let sending = true;
    let maxDepth = 0;
    let maxBehind = 0;
    const start = Date.now();
    const watch = (async () => {
      while (sending || busyLags.pending() + quietLags.pending() > 0) {
        await Promise.all([busyLags.poll(), quietLags.poll()]);
        const [depth, behind] = await Promise.all([
          waitingExports(),
          getQueue(QueueName.OtlpIngest).getPrioritizedCount(),
        ]);
        maxDepth = Math.max(maxDepth, depth);
        maxBehind = Math.max(maxBehind, behind);
        if (Date.now() - start > QUERYABLE_TIMEOUT_MS + 600_000) throw new Error("traces not queryable in time");
        await sleep(100);
      }
    })();
    // The quiet project sends first, as a project already sending when a backfill starts.
    let quietSent = 0;
    const quietLoop = (async () => {
      while (sending) {
        const [next] = prepareBodies(templates, 1, quietSent);
        quietSent += 1;
        if (next) {
          const status = await quietPool.post(next.body);
          count(statuses.quiet, status);
          if (status === 200) quietLags.add({ traceId: next.traceId, ackAt: Date.now() });
        }
        await sleep(QUIET_INTERVAL_MS);
      }
    })();
    await sleep(2 * QUIET_INTERVAL_MS);
    const backfillStart = Date.now();
    let nextBusy = 0;
    await Promise.all(
      Array.from({ length: BUSY_CONCURRENCY }, async () => {
        for (let index = nextBusy++; index < busyBodies.length; index = nextBusy++) {
          const request = busyBodies[index];
          if (!request) continue;
          let status = await busyPool.post(request.body);
          // As an exporter does: 429 and 503 are retried after a pause.
          while (status === 429 || status === 503) {
            count(statuses.busy, status);
            await sleep(1_000);
            status = await busyPool.post(request.body);
          }
          count(statuses.busy, status);
          if (status === 200 && index % BUSY_SAMPLE_EVERY === 0) {
            busyLags.add({ traceId: request.traceId, ackAt: Date.now() });
          }
        }
      }),
    );
    const backfillSentAt = Date.now();
    // The quiet project keeps sending until the backlog has drained.
    while ((await waitingExports()) > 0) await sleep(250);
    const drainedAt = Date.now();
    sending = false;
    await quietLoop;
    await watch;
    busyPool.destroy();
    quietPool.destroy();

    const busyDuring = lagsBetween(busyLags.done(), backfillStart, backfillSentAt);
    const quietDuring = lagsBetween(quietLags.done(), backfillStart, backfillSentAt);
    const median = (values: number[]) => latencySummary(values).p50;
    const result = {
      date: new Date().toISOString(),
      machine: { cpus: availableParallelism(), loadavg1: round(loadavg()[0] ?? 0, 2) },
      settings: {
        busyRequests: BUSY_REQUESTS,
        spansPerRequest: SPANS_PER_REQUEST,
        busyConcurrency: BUSY_CONCURRENCY,
        quietIntervalMs: QUIET_INTERVAL_MS,
      },
      backfill: {
        sendSeconds: round((backfillSentAt - backfillStart) / 1000, 1),
        drainSeconds: round((drainedAt - backfillStart) / 1000, 1),
        acceptedSpansPerSecond: Math.round(
          ((statuses.busy.get(200) ?? 0) * SPANS_PER_REQUEST) / ((backfillSentAt - backfillStart) / 1000),
        ),
        maxQueueDepth: maxDepth,
        maxQueuedBehindOthers: maxBehind,
        statuses: Object.fromEntries(statuses.busy),
      },
      quiet: { sent: quietSent, statuses: Object.fromEntries(statuses.quiet) },
      // Traces acknowledged while the backfill was being sent.
      lagWhileBackfilling: {
        busy: { samples: busyDuring.length, ...latencySummary(busyDuring) },
        quiet: { samples: quietDuring.length, ...latencySummary(quietDuring) },
        quietToBusyMedian: round((median(quietDuring) ?? 0) / (median(busyDuring) || 1), 3),
      },
    };
    await emitResult(result);
  } finally {
    await terminate(worker.child, "worker");
    await services.stop();
  }
}

await main();
process.exit(0);
