/**
 * Ingest benchmark, all measured in one run on this machine:
 *  (a) the ClickHouse insert ceiling: the worker's own rows (real payloads → decode →
 *      normalize → map), inserted with the same client and inserts in flight, in batches of
 *      the worker's row cap and of the size its batches are due at with (b)'s requests
 *      (bench/ingest-ceiling.ts);
 *  (b) end-to-end OTLP → BullMQ → worker → ClickHouse throughput, closed loop;
 *  (c) ingest latency and time-to-queryable at 5,000 spans/s, half the 10,000 spans/s
 *      sustained target, open loop (BENCH_HALF_LOAD_SPANS_PER_SECOND=0: half of (b)'s rate);
 *  (d) a sustained open-loop run (default 5 minutes) at (b)'s end-to-end rate, or
 *      BENCH_SUSTAINED_SPANS_PER_SECOND: does the rate hold with bounded lag and memory?
 * By default the receiver runs as its own process and the worker with embedded ClickHouse
 * in this one, as in all-in-one mode; BENCH_CLICKHOUSE=process puts the engine and the
 * worker in processes of their own, as the scaled layout deploys them. The load generator
 * is always a separate process (bench/ingest-load.ts), and each phase runs in
 * bench/ingest-phase.ts.
 *
 * Run from the repository root: `pnpm bench:ingest` (needs DATABASE_URL and REDIS_URL).
 */
import type { ChildProcess } from "node:child_process";
import { rm } from "node:fs/promises";
import { availableParallelism, loadavg } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { getClickHouse, startPipeline } from "../apps/all-in-one/test/pipeline-harness.js";
import { INGEST_NODE_FLAGS } from "../apps/ingest/src/node-flags.js";
import { defaultBatchMaxWaiters, INGEST_DEFAULTS, workerNodeFlags } from "../apps/worker/src/index.js";
import { applyEmbeddedMallocConf } from "../packages/clickhouse/src/index.js";
import { withEngineCounters } from "./engine-counters.js";
import { PAYLOAD, SPANS_PER_REQUEST } from "./ingest-bodies.js";
import { measureCeilingPass, measureCeilings } from "./ingest-ceiling.js";
import type { TLoadCommand } from "./ingest-load.js";
import { redisUsedMemoryMiB, startCpuProfile } from "./ingest-measure.js";
import { runPhase, type TPipelineTarget, type TSidecars } from "./ingest-phase.js";
import {
  BACKGROUND_NICE,
  BACKGROUND_POLICY,
  SCHEDULING,
  startClickHouseProcess,
  startReceiverProcess,
  startWorkerProcess,
  terminate,
} from "./ingest-processes.js";
import { forkLoadGenerator, prepareLoad } from "./load-generator.js";
import { withMachineProbe } from "./machine-probe.js";
import { emitResult, envNumber, median, round } from "./stats.js";

const DURATION_S = envNumber("BENCH_DURATION_S", 30);
/** Past this much data already in Redis a run refuses to start (BENCH_ALLOW_BUSY_REDIS=1 runs anyway). */
const BUSY_REDIS_MIB = 256;
const HALF_LOAD_DURATION_S = envNumber("BENCH_HALF_LOAD_DURATION_S", 20);
const SUSTAINED_S = envNumber("BENCH_SUSTAINED_S", 300);
/** Offered rate of phase (d); 0 means (b)'s measured end-to-end rate. */
const SUSTAINED_SPANS_PER_SECOND = envNumber("BENCH_SUSTAINED_SPANS_PER_SECOND", 0);
/**
 * The rate of (c): by default half of the 10,000 spans/s the pipeline is to sustain, the load
 * the latency target is set at, and one load for every run whatever its (b) was; 0 runs (c) at
 * half of (b)'s end-to-end rate, as every run up to run 40 did.
 */
const HALF_LOAD_SPANS_PER_SECOND = envNumber("BENCH_HALF_LOAD_SPANS_PER_SECOND", 5_000);
const SUSTAINED_WINDOW_S = 30;
const CONCURRENCY = envNumber("BENCH_CONCURRENCY", 32);
const CEILING_REQUESTS = envNumber("BENCH_CEILING_REQUESTS", 3000);
/** Each ceiling pass inserts for this long, as long as (b) sends by default, so background merges weigh on both alike. */
const CEILING_S = envNumber("BENCH_CEILING_S", 30);
/**
 * Rounds after (b), each a ceiling pass at the pipeline's batch size and then a (b) of its own.
 * (b)'s ratio sets it against ceiling passes minutes before it, and the ceiling moved by a
 * third within one hour (runs 68–71): several pairs, each measured within two minutes, give
 * the run a median. 0 skips them.
 */
const PAIRED_ROUNDS = envNumber("BENCH_PAIRED_ROUNDS", 2);
/**
 * A pause before each paired round's ceiling pass and before its (b). Right after a load
 * phase the engine spent 99 µs of CPU per row of a ceiling pass against 83 before it (run 72);
 * after a 60 s pause, 81–83 (run 73): what a phase leaves behind passes within a minute.
 */
const PAIRED_SETTLE_S = envNumber("BENCH_PAIRED_SETTLE_S", 60);
/** Unmeasured inserts before the ceiling's passes (bench/ingest-ceiling.ts). */
const CEILING_WARMUP_S = envNumber("BENCH_CEILING_WARMUP_S", 10);
const BATCH_ROWS = envNumber("WORKER_BATCH_MAX_ROWS", 20_000);
const INGEST_CONCURRENCY = envNumber("WORKER_INGEST_CONCURRENCY", INGEST_DEFAULTS.concurrency);
/**
 * The rows of the batches the worker forms from (b)'s requests: a batch is due once this many
 * jobs wait on it (`WORKER_BATCH_MAX_WAITERS`, by default half the jobs in flight), and each
 * job holds one request's spans. The worker's row cap is reached only by larger requests.
 */
const WORKER_BATCH_ROWS =
  envNumber("WORKER_BATCH_MAX_WAITERS", defaultBatchMaxWaiters(INGEST_CONCURRENCY)) * SPANS_PER_REQUEST;
/**
 * For diagnosis only: the engine merges no parts all run, which shows what merging costs
 * in each phase. No deployment can run this way (parts pile up until inserts are refused).
 */
const STOP_MERGES = process.env.BENCH_STOP_MERGES === "1";
/** Keeps the ceiling's rows in the tables (as runs up to 21 did), so (b) merges them too. */
const KEEP_CEILING_ROWS = process.env.BENCH_KEEP_CEILING_ROWS === "1";
/** Table settings to try on `spans` (`merge_selector_base = 10`, …), applied before the ceiling. */
const SPANS_SETTINGS = process.env.BENCH_SPANS_SETTINGS;
/** Inserts at once, as the worker's batch writer runs them (its default). */
const INSERTS_IN_FLIGHT = envNumber("WORKER_BATCH_MAX_IN_FLIGHT", 2);
/** Requests built ahead of the short closed-loop phase assume at most this rate. */
const PREPARE_SPANS_PER_SECOND = envNumber("BENCH_PREPARE_SPANS_PER_SECOND", 15_000);
/** ~12 KB each with the default payload: 260,000 prepared requests hold ~3 GB of gzip in the generator process. */
const MAX_PREPARED_REQUESTS = envNumber("BENCH_MAX_PREPARED_REQUESTS", 260_000);
/**
 * Where OTLP requests go: "process" (default) runs the receiver as its own process, the
 * production entry point apps/ingest/src/main.ts, as the ingest service is deployed;
 * "in-process" uses the receiver inside the pipeline process, as all-in-one mode mounts it.
 */
const RECEIVER = process.env.BENCH_RECEIVER === "in-process" ? "in-process" : "process";
// The processes' ports sit below Linux's ephemeral range (32768–60999): a port inside it
// can be held by one of the run's own outgoing connections, and listening on it fails.
const RECEIVER_PORT = envNumber("BENCH_RECEIVER_PORT", 24318);
/**
 * How the generator sends: "http" (default), gzip OTLP/HTTP; "grpc", uncompressed OTLP/gRPC
 * to the receiver's gRPC port (BENCH_RECEIVER_GRPC_PORT, 24317; in-process, an ephemeral one).
 */
const PROTOCOL = process.env.BENCH_PROTOCOL === "grpc" ? "grpc" : "http";
const RECEIVER_GRPC_PORT = envNumber("BENCH_RECEIVER_GRPC_PORT", 24317);
/**
 * Where ClickHouse runs: "in-process" (default) embeds it in the worker's process, as the
 * all-in-one layout does; "process" serves the same engine from its own process over the
 * HTTP interface (bench/clickhouse-http.ts), so the worker runs its server-mode client and
 * its memory and CPU are measured apart from the engine's, as in the scaled layout.
 */
const CLICKHOUSE = process.env.BENCH_CLICKHOUSE === "process" ? "process" : "in-process";
const CLICKHOUSE_PORT = envNumber("BENCH_CLICKHOUSE_PORT", 28123);
/**
 * Where the worker runs: with ClickHouse in its own process, by default in its own process
 * too (the production entry point apps/worker/src/main.ts, started with BENCH_WORKER_NODE_FLAGS),
 * so its memory is the worker's alone; "in-process" keeps it in this process.
 */
const WORKER = CLICKHOUSE === "process" && process.env.BENCH_WORKER !== "in-process" ? "process" : "in-process";
const WORKER_HEALTH_PORT = envNumber("BENCH_WORKER_HEALTH_PORT", 23030);
/** By default the flags the worker's start script gives Node (apps/worker/bin/start.sh), so it runs as deployed. */
const WORKER_NODE_FLAGS = process.env.BENCH_WORKER_NODE_FLAGS?.split(" ").filter(Boolean) ?? workerNodeFlags();
/** By default the flags the receiver's start script gives Node (apps/ingest/bin/start.sh); an empty value runs it without. */
const RECEIVER_NODE_FLAGS = process.env.BENCH_RECEIVER_NODE_FLAGS?.split(" ").filter(Boolean) ?? [...INGEST_NODE_FLAGS];
/** When set, the receiver process writes a CPU profile of its whole run here. */
const RECEIVER_CPU_PROFILE_DIR = process.env.BENCH_RECEIVER_CPU_PROFILE_DIR;
/** When set, the pipeline process's main thread is CPU-profiled during phase (b) into this file. */
const CPU_PROFILE_PATH = process.env.BENCH_CPU_PROFILE;

/** Has the generator build `requests` unique requests ahead of the next phase. */
async function prepareRequests(generator: ChildProcess, requests: number) {
  const result = await prepareLoad(generator, requests);
  console.error(`prepared: ${JSON.stringify(result)}`);
  return result;
}

async function main() {
  for (const name of ["DATABASE_URL", "REDIS_URL"]) {
    if (!process.env[name]) throw new Error(`${name} must be set (see docs/benchmarks.md)`);
  }
  process.env.LOG_LEVEL ??= "warn";
  // The harness defaults to 50 ms for tests; benchmark the production default.
  process.env.WORKER_BATCH_MAX_WAIT_MS ??= String(INGEST_DEFAULTS.batchMaxWaitMs);
  // The engine's allocator options as the embedded mode sets them, inherited by its process.
  applyEmbeddedMallocConf();
  // Redis rewrites its whole append-only file, every database's data in it, as the run's
  // jobs pass through: a Redis holding gigabytes of other data measured 85 µs of Redis CPU
  // per span in (b) against ~26 (docs/benchmarks.md, run 54).
  const redisUsedMiB = await redisUsedMemoryMiB();
  if (redisUsedMiB > BUSY_REDIS_MIB && process.env.BENCH_ALLOW_BUSY_REDIS !== "1") {
    throw new Error(
      `Redis already holds ${Math.round(redisUsedMiB)} MiB: its rewrites would be measured as the pipeline's. Use a Redis of its own, remove what it holds, or set BENCH_ALLOW_BUSY_REDIS=1`,
    );
  }

  // A crashed run must not leave its processes running (they hold the ports and the
  // engine's files), including one that fails while the next process is starting.
  const started: ChildProcess[] = [];
  process.on("exit", () => {
    for (const child of started) child.kill("SIGKILL");
  });
  const { child: generator, ready } = await forkLoadGenerator();
  console.error(`load generator ready: ${JSON.stringify(ready)}`);
  const clickhouse = CLICKHOUSE === "process" ? await startClickHouseProcess(CLICKHOUSE_PORT) : null;
  if (clickhouse) started.push(clickhouse.child);
  const pipeline = await startPipeline(
    clickhouse ? { clickhouseUrl: clickhouse.url, ...(WORKER === "process" ? { consumers: [] } : {}) } : {},
  );
  if (STOP_MERGES) await getClickHouse().command({ query: "SYSTEM STOP MERGES" });
  if (SPANS_SETTINGS) await getClickHouse().command({ query: `ALTER TABLE spans MODIFY SETTING ${SPANS_SETTINGS}` });
  const worker =
    clickhouse && WORKER === "process"
      ? await startWorkerProcess(clickhouse.url, WORKER_HEALTH_PORT, WORKER_NODE_FLAGS)
      : null;
  if (worker) started.push(worker.child);
  const receiver =
    RECEIVER === "process"
      ? await startReceiverProcess(
          RECEIVER_PORT,
          RECEIVER_NODE_FLAGS,
          RECEIVER_CPU_PROFILE_DIR,
          PROTOCOL === "grpc" ? RECEIVER_GRPC_PORT : null,
        )
      : null;
  if (receiver) {
    started.push(receiver.child);
    pipeline.baseUrl = receiver.baseUrl;
  }
  if (PROTOCOL === "grpc") {
    pipeline.baseUrl = `grpc://${receiver ? `127.0.0.1:${RECEIVER_GRPC_PORT}` : pipeline.grpcAddress}`;
  }
  const sidecars: TSidecars = {
    receiver: receiver?.child ?? null,
    clickhouse: clickhouse?.child ?? null,
    worker: worker?.child ?? null,
  };
  try {
    const ceilingOptions = {
      seconds: CEILING_S,
      warmupSeconds: CEILING_WARMUP_S,
      capRows: BATCH_ROWS,
      workerBatchRows: WORKER_BATCH_ROWS,
      insertsInFlight: INSERTS_IN_FLIGHT,
      requests: CEILING_REQUESTS,
      keepRows: KEEP_CEILING_ROWS,
      clickhousePid: clickhouse?.child.pid,
    };
    const { cap: ceiling, workerBatch: ceilingAtWorkerBatch } = await measureCeilings(ceilingOptions);
    console.error(`ceiling: ${JSON.stringify(ceiling)}`);
    console.error(`ceiling at the worker's batch: ${JSON.stringify(ceilingAtWorkerBatch)}`);
    // The ceiling's rows are garbage now; collect them so the phases below measure the
    // worker's memory, not the benchmark's leftovers.
    globalThis.gc?.();

    const closed = (target: TPipelineTarget, durationS: number): TLoadCommand => ({
      type: "closed",
      baseUrl: target.baseUrl,
      secretKey: target.secretKey,
      concurrency: CONCURRENCY,
      durationS,
      maxRequests: 0,
    });

    await prepareRequests(generator, Math.ceil((PREPARE_SPANS_PER_SECOND * DURATION_S) / SPANS_PER_REQUEST));
    const profiler = CPU_PROFILE_PATH ? await startCpuProfile() : null;
    const full = await withMachineProbe(() =>
      withEngineCounters(getClickHouse(), () =>
        runPhase(generator, pipeline, closed(pipeline, DURATION_S), 0, sidecars),
      ),
    );
    if (profiler && CPU_PROFILE_PATH) await profiler.stop(CPU_PROFILE_PATH);
    console.error(`end-to-end: ${JSON.stringify(full)}`);

    // Paired rounds: a ceiling pass, then a (b) of its own, each on empty tables and after a
    // pause, so each round's ratio sets two measurements two minutes apart against each other.
    const pairedRounds = [];
    for (let index = 0; index < PAIRED_ROUNDS; index += 1) {
      await prepareRequests(generator, Math.ceil((PREPARE_SPANS_PER_SECOND * DURATION_S) / SPANS_PER_REQUEST));
      await sleep(PAIRED_SETTLE_S * 1000);
      const pairCeiling = await measureCeilingPass(WORKER_BATCH_ROWS, ceilingOptions);
      globalThis.gc?.();
      await sleep(PAIRED_SETTLE_S * 1000);
      const pairEndToEnd = await withMachineProbe(() =>
        withEngineCounters(getClickHouse(), () =>
          runPhase(generator, pipeline, closed(pipeline, DURATION_S), 0, sidecars),
        ),
      );
      // Its rows stay, as (b)'s did: the next pass drops them, and (c) starts beside them as ever.
      const pair = {
        ceilingRowsPerSecond: pairCeiling.insertRowsPerSecond,
        ceilingEngineCpuMicrosPerRow: pairCeiling.engineCpuMicrosPerRow,
        endToEndSpansPerSecond: pairEndToEnd.endToEndSpansPerSecond,
        ratio: round(pairEndToEnd.endToEndSpansPerSecond / pairCeiling.insertRowsPerSecond, 3),
        cpuMicrosPerSpan: pairEndToEnd.cpuMicrosPerSpan,
        machineProbe: pairEndToEnd.machineProbeRowsPerSecond,
      };
      console.error(`paired round ${index + 1}/${PAIRED_ROUNDS}: ${JSON.stringify(pair)}`);
      pairedRounds.push(pair);
    }

    const halfTarget = { ...pipeline, ...(await pipeline.createProject()) };
    const halfRate =
      (HALF_LOAD_SPANS_PER_SECOND > 0 ? HALF_LOAD_SPANS_PER_SECOND : full.endToEndSpansPerSecond / 2) /
      SPANS_PER_REQUEST;
    await prepareRequests(generator, Math.ceil(halfRate * HALF_LOAD_DURATION_S) + 100);
    const half = await withMachineProbe(() =>
      withEngineCounters(getClickHouse(), () =>
        runPhase(
          generator,
          halfTarget,
          {
            type: "open",
            baseUrl: halfTarget.baseUrl,
            secretKey: halfTarget.secretKey,
            requestsPerSecond: halfRate,
            durationS: HALF_LOAD_DURATION_S,
          },
          0,
          sidecars,
        ),
      ),
    );
    console.error(`half load: ${JSON.stringify(half)}`);

    let sustained: typeof full | null = null;
    let sustainedRate = 0;
    if (SUSTAINED_S > 0) {
      const sustainedTarget = { ...pipeline, ...(await pipeline.createProject()) };
      // Open loop: a closed loop would push the receiver past what the worker stores, fill
      // the queue to its bound and measure the 503 path instead of a sustained rate.
      sustainedRate = SUSTAINED_SPANS_PER_SECOND > 0 ? SUSTAINED_SPANS_PER_SECOND : full.endToEndSpansPerSecond;
      const requestsPerSecond = sustainedRate / SPANS_PER_REQUEST;
      await prepareRequests(
        generator,
        Math.min(Math.ceil(requestsPerSecond * SUSTAINED_S) + 100, MAX_PREPARED_REQUESTS),
      );
      sustained = await withMachineProbe(() =>
        withEngineCounters(getClickHouse(), () =>
          runPhase(
            generator,
            sustainedTarget,
            {
              type: "open",
              baseUrl: sustainedTarget.baseUrl,
              secretKey: sustainedTarget.secretKey,
              requestsPerSecond,
              durationS: SUSTAINED_S,
            },
            Math.min(SUSTAINED_WINDOW_S, SUSTAINED_S),
            sidecars,
          ),
        ),
      );
      console.error(`sustained: ${JSON.stringify(sustained)}`);
    }

    const ratioEndToEndToCeilingAtWorkerBatch = round(
      full.endToEndSpansPerSecond / ceilingAtWorkerBatch.insertRowsPerSecond,
      3,
    );
    const summary = {
      machine: {
        cpus: availableParallelism(),
        node: process.version,
        loadAverage1mAtEnd: round(loadavg()[0] ?? 0, 2),
        redisUsedMiBAtStart: round(redisUsedMiB, 1),
      },
      config: {
        durationS: DURATION_S,
        ceilingS: CEILING_S,
        ceilingWarmupS: CEILING_WARMUP_S,
        halfLoadDurationS: HALF_LOAD_DURATION_S,
        sustainedS: SUSTAINED_S,
        concurrency: CONCURRENCY,
        payload: PAYLOAD,
        backgroundNice: BACKGROUND_NICE,
        backgroundPolicy: BACKGROUND_POLICY,
        scheduling: SCHEDULING,
        schedstat: process.env.BENCH_SCHEDSTAT === "1",
        workerIngestConcurrency: INGEST_CONCURRENCY,
        receiver: RECEIVER,
        protocol: PROTOCOL,
        // The receiver process's Node flags (the in-process receiver runs with this process's).
        receiverNodeFlags: RECEIVER === "process" ? RECEIVER_NODE_FLAGS : null,
        clickhouse: CLICKHOUSE,
        // The ClickHouse process's start-up arguments (`bench/clickhouse-http.ts`); empty: the engine's defaults.
        clickhouseArgs: CLICKHOUSE === "process" ? (process.env.BENCH_CLICKHOUSE_ARGS ?? "") : null,
        workerIngestGatherMs: Number(process.env.WORKER_INGEST_GATHER_MS ?? INGEST_DEFAULTS.gatherMs),
        engineMallocConf: process.env.JE_MALLOC_CONF,
        worker: WORKER,
        workerNodeFlags: WORKER_NODE_FLAGS,
        // null: the layout's default (a worker process decodes on its event loop, an in-process one in a thread).
        workerEncodeThreads: process.env.WORKER_ENCODE_THREADS ?? null,
        workerBatchMaxRows: BATCH_ROWS,
        workerBatchMaxWaitMs: Number(process.env.WORKER_BATCH_MAX_WAIT_MS),
        keepCeilingRows: KEEP_CEILING_ROWS,
        pairedRounds: PAIRED_ROUNDS,
        pairedSettleS: PAIRED_SETTLE_S,
        stopMerges: STOP_MERGES,
      },
      requests: { ...ready, spansPerRequest: SPANS_PER_REQUEST },
      ceiling,
      ceilingAtWorkerBatch,
      endToEnd: full,
      halfLoad: { targetSpansPerSecond: Math.round(halfRate * SPANS_PER_REQUEST), ...half },
      sustained: sustained && { offeredSpansPerSecond: Math.round(sustainedRate), ...sustained },
      ratioEndToEndToCeiling: round(full.endToEndSpansPerSecond / ceiling.insertRowsPerSecond, 3),
      ratioEndToEndToCeilingAtWorkerBatch,
      pairedRounds,
      // The run's ratios at the pipeline's batch size, (b)'s and each paired round's: their
      // median is what the run says, as one ceiling drifts by a quarter within an hour.
      ratioAtWorkerBatchMedian: round(
        median([ratioEndToEndToCeilingAtWorkerBatch, ...pairedRounds.map((pair) => pair.ratio)]),
        3,
      ),
    };
    await emitResult(summary);
  } finally {
    generator.disconnect();
    // Waited for, so a run started right after this one finds the receiver's port free.
    if (receiver) await terminate(receiver.child, "receiver");
    // The worker finishes its active jobs before it exits.
    if (worker) await terminate(worker.child, "worker");
    await Promise.race([pipeline.stop(), sleep(15_000)]);
    if (clickhouse) {
      clickhouse.child.kill("SIGTERM");
      await rm(clickhouse.dataDir, { recursive: true, force: true });
    }
  }
}

await main();
// Embedded ClickHouse and client sockets can keep the event loop alive after stop().
process.exit(0);
