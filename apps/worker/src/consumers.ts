import { availableParallelism } from "node:os";
import { getHeapStatistics } from "node:v8";
import { createBatchWriter, getClickHouse, isIngestRequestStored } from "@spanlens/clickhouse";
import { parseEnv, QueueName } from "@spanlens/core";
import { createConsumer, createIngestProblemRecorder, getRedis } from "@spanlens/queue";
import { z } from "zod";
import { createTraceEvaluationScheduler, evaluatorRunProcessor, traceEvaluationProcessor } from "./evaluators/index.js";
import { defaultIngestMaxBytes } from "./processors/byte-budget.js";
import { createIngestEncoder } from "./processors/ingest-encoder.js";
import { createIngestLossReporter } from "./processors/ingest-losses.js";
import { createOtlpIngestProcessor } from "./processors/otlp-ingest-processor.js";
import type { TConsumerFactory } from "./worker.js";

/**
 * Ingest defaults, chosen in the ingest benchmark (docs/benchmarks.md, run 11): batches are
 * due at half the jobs in flight, so 1,024 jobs make batches of ~5,000 spans under load,
 * and ClickHouse spends ~25% less CPU per span on parts and merges than with 512; the
 * timer only bounds how long a batch waits when traffic is light.
 */
export const INGEST_DEFAULTS = { concurrency: 1024, batchMaxWaitMs: 1000, gatherMs: 20 } as const;

const ZWorkerEnv = z.object({
  /** Jobs processed at once: many jobs wait on one shared ClickHouse batch. */
  WORKER_INGEST_CONCURRENCY: z.coerce.number().int().positive().default(INGEST_DEFAULTS.concurrency),
  /**
   * Decompressed request bytes in flight at once, which bounds the worker's memory when
   * requests are large (1,024 requests of 16 MB would otherwise be 16 GB). The default
   * (128 MiB, less on a small heap) admits all of them at the benchmark's mean of ~29 KB;
   * bigger requests queue for it.
   */
  WORKER_INGEST_MAX_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(() => defaultIngestMaxBytes(getHeapStatistics().heap_size_limit)),
  /**
   * Once the queue has been found empty, how long the worker waits before fetching again, so
   * that jobs arriving under light traffic are fetched together (`ConsumerWorker`; 0: at once).
   */
  WORKER_INGEST_GATHER_MS: z.coerce.number().int().nonnegative().default(INGEST_DEFAULTS.gatherMs),
  WORKER_BATCH_MAX_ROWS: z.coerce.number().int().positive().default(20_000),
  WORKER_BATCH_MAX_WAIT_MS: z.coerce.number().int().positive().default(INGEST_DEFAULTS.batchMaxWaitMs),
  /**
   * Jobs waiting on one batch that trigger its insert (default: half the concurrency), so
   * the other half fills the next batch while one is inserted.
   */
  WORKER_BATCH_MAX_WAITERS: z.coerce.number().int().positive().optional(),
  /** ClickHouse inserts running at once per table; a ready batch keeps growing while all are busy. */
  WORKER_BATCH_MAX_IN_FLIGHT: z.coerce.number().int().positive().default(2),
  /**
   * A killed worker's jobs keep their lock this long; then another worker's stalled check
   * (every WORKER_STALLED_INTERVAL_MS) hands them out again. BullMQ's defaults.
   */
  WORKER_LOCK_DURATION_MS: z.coerce.number().int().positive().default(30_000),
  WORKER_STALLED_INTERVAL_MS: z.coerce.number().int().positive().default(30_000),
  /**
   * How many times an ingest job may be held by a worker that died (killed, out of memory, its
   * node lost) and still be handed out again; past it BullMQ fails the job for good. BullMQ's
   * default, 1, failed every job a crashed worker's replacement held when it crashed too, and
   * that is the stalled jobs themselves, which a new worker fetches first. From the second
   * stall on a job runs apart (see `runsApart`): among ever fewer jobs, and on its last delivery
   * alone, so a job that itself crashes its worker fails by itself after as many crashes, and
   * the jobs held beside it are stored.
   */
  WORKER_MAX_STALLED_COUNT: z.coerce.number().int().nonnegative().default(5),
  /**
   * Threads that decompress, decode, normalize and encode queued requests (0: on the
   * event loop). Default: see `TConsumerOptions.encodeThreads`.
   */
  WORKER_ENCODE_THREADS: z.coerce.number().int().nonnegative().optional(),
  /**
   * How long an encoding thread may spend on one slice of a request (at most 5,000 records or
   * ~10 MB, well under a second) before it is stopped and replaced; the job fails, and fails
   * for good the second time. Inline encoding (no threads) is covered by the event-loop
   * watchdog instead (`WORKER_BLOCKED_EXIT_MS`).
   */
  WORKER_ENCODE_TIMEOUT_MS: z.coerce.number().int().positive().default(30_000),
  /** A trace is evaluated once no span of it has been stored for this long. */
  EVALUATION_DEBOUNCE_MS: z.coerce.number().int().nonnegative().default(30_000),
  /** Evaluator runs processed at once (LLM judges mostly wait on the network). */
  EVALUATION_CONCURRENCY: z.coerce.number().int().positive().default(8),
});

export interface TConsumerOptions {
  /**
   * Encoding threads when `WORKER_ENCODE_THREADS` is unset. The worker process decodes on
   * its event loop (0): handing each request to a thread and its rows back costs two
   * structured clones, and in the ingest benchmark the worker spent 9–35% less CPU per
   * span and about a third less memory without them, with no longer an ingest tail at a fixed
   * half load (docs/benchmarks.md, runs 16 and 18). A process that also serves HTTP
   * (all-in-one) keeps its event loop for that and passes 1 on two or more cores.
   */
  encodeThreads?: number;
}

/**
 * Jobs waiting on one batch that make it due when `WORKER_BATCH_MAX_WAITERS` is unset: half
 * the jobs in flight, so the other half fills the next batch while one is inserted.
 */
export const defaultBatchMaxWaiters = (concurrency: number): number => Math.max(1, Math.floor(concurrency / 2));

/**
 * After how many stalls an ingest job runs apart (see `runsApart`). A worker stopped once (a
 * deploy, a node lost, memory run out under load) tells nothing about the jobs it held, which
 * run batched again; a second stop under the same job points at the jobs held both times. With
 * `maxStalledCount` 1 a job fails at its second stall, so it runs apart (alone) from its first;
 * with 0 it fails at its first, and none runs apart.
 */
export const ingestApartAfterStalls = (maxStalledCount: number): number => Math.min(2, maxStalledCount);

/** One encoding thread on two or more cores, for processes whose event loop also serves requests. */
export const sharedLoopEncodeThreads = (): number => (availableParallelism() >= 2 ? 1 : 0);

/** The consumers this worker runs, one per queue contract. */
export function defaultConsumers(options: TConsumerOptions = {}): TConsumerFactory[] {
  const env = parseEnv(ZWorkerEnv);
  const batch = {
    maxRows: env.WORKER_BATCH_MAX_ROWS,
    maxWaitMs: env.WORKER_BATCH_MAX_WAIT_MS,
    maxWaiters: env.WORKER_BATCH_MAX_WAITERS ?? defaultBatchMaxWaiters(env.WORKER_INGEST_CONCURRENCY),
    maxInFlight: env.WORKER_BATCH_MAX_IN_FLIGHT,
  };
  const writers = {
    spans: createBatchWriter(getClickHouse, { table: "spans", ...batch }),
    scores: createBatchWriter(getClickHouse, { table: "scores", ...batch }),
    ingestRequests: createBatchWriter(getClickHouse, { table: "ingest_receipts", ...batch }),
  };
  return [
    () => {
      const encoder = createIngestEncoder({
        threads: env.WORKER_ENCODE_THREADS ?? options.encodeThreads ?? 0,
        timeoutMs: env.WORKER_ENCODE_TIMEOUT_MS,
      });
      // Accepted exports this worker could not store whole, in each project's ingest problems.
      const problems = createIngestProblemRecorder({ redis: getRedis });
      const apartAfterStalls = ingestApartAfterStalls(env.WORKER_MAX_STALLED_COUNT);
      const losses = createIngestLossReporter(problems, { apartAfterStalls });
      const consumer = createConsumer(
        QueueName.OtlpIngest,
        createOtlpIngestProcessor(writers, encoder, {
          onTracesStored: createTraceEvaluationScheduler({ delayMs: env.EVALUATION_DEBOUNCE_MS }),
          onKeptAsSent: losses.keptAsSent,
          maxBytesInFlight: env.WORKER_INGEST_MAX_BYTES,
          wasStored: (request) => isIngestRequestStored(getClickHouse(), request),
        }),
        {
          concurrency: env.WORKER_INGEST_CONCURRENCY,
          lockDuration: env.WORKER_LOCK_DURATION_MS,
          stalledInterval: env.WORKER_STALLED_INTERVAL_MS,
          maxStalledCount: env.WORKER_MAX_STALLED_COUNT,
          gatherMs: env.WORKER_INGEST_GATHER_MS,
          apartAfterStalls,
          // After the active jobs: the threads are stopped, and the last problems written,
          // once nothing uses them, and before the process closes its Redis connections.
          afterClose: async () => {
            await Promise.all([encoder.close(), problems.close()]);
          },
        },
      );
      consumer.on("failed", losses.failed);
      return consumer;
    },
    () => createConsumer(QueueName.TraceEvaluation, traceEvaluationProcessor, { concurrency: 4 }),
    () => createConsumer(QueueName.EvaluatorRun, evaluatorRunProcessor, { concurrency: env.EVALUATION_CONCURRENCY }),
  ];
}
