import { QueueName, type TQueueName } from "@spanlens/core";
import { type Job, type Processor, Queue, type Worker, type WorkerOptions } from "bullmq";
import type { Redis } from "ioredis";
import { ConsumerWorker, type TConsumerWorkerSettings } from "./consumer-worker.js";
import { createRedis, getRedis } from "./redis.js";

/**
 * Key prefix for every queue. Tests set their own so parallel suites never share
 * jobs; a Redis Cluster deployment sets one with a hash tag (`{spanlens}`).
 */
export function queuePrefix(): string {
  return process.env.SPANLENS_QUEUE_PREFIX ?? "spanlens";
}

/**
 * Where the receiver keeps an accepted OTLP request's body until the worker has stored
 * its rows (under the queue prefix, so a Redis Cluster hash tag covers it too).
 */
export function otlpBodyKey(requestId: string): string {
  return `${queuePrefix()}:otlp-body:${requestId}`;
}

/**
 * Bodies are deleted once stored; this expiry only bounds what a failure between writing
 * a body and queueing its job could leave behind. It matches how long failed jobs are
 * kept, so a job still waiting after a week of no worker finds its body gone, and fails for
 * good naming what was lost (see `createOtlpIngestProcessor`).
 */
export const OTLP_BODY_TTL_SECONDS = 7 * 24 * 3600;

const registry = globalThis as typeof globalThis & { __spanlensQueues?: Map<string, Queue> };

/**
 * The process-wide producer for a queue. Its connection pipelines automatically: the
 * commands that concurrent requests issue in one event-loop turn (each OTLP request's body
 * SET and job script) leave in one write, in the order they were issued, instead of a
 * write and a Redis read each. Measured in the ingest benchmark: the receiver's CPU per
 * span fell from 50-55 to 41-46 µs (docs/benchmarks.md). Consumers keep plain connections:
 * there it measured no difference.
 */
export function getQueue(name: TQueueName): Queue {
  registry.__spanlensQueues ??= new Map();
  const key = `${queuePrefix()}:${name}`;
  let queue = registry.__spanlensQueues.get(key);
  if (!queue) {
    queue = new Queue(name, {
      connection: createRedis(undefined, { enableAutoPipelining: true }),
      prefix: queuePrefix(),
    });
    registry.__spanlensQueues.set(key, queue);
  }
  return queue;
}

/**
 * OTLP exports waiting for a worker, what `INGEST_MAX_QUEUE_DEPTH` bounds: the queue's waiting
 * jobs and those added behind the other projects' (with a priority, see the receiver's intake).
 */
export async function waitingExports(): Promise<number> {
  return getQueue(QueueName.OtlpIngest).getJobCountByTypes("waiting", "prioritized");
}

/**
 * A queue's own Redis connection (created by `createRedis`, so a plain ioredis client).
 * Commands sent on it before `queue.add` reach Redis before the job does.
 */
export async function queueConnection(queue: Queue): Promise<Redis> {
  return (await queue.client) as unknown as Redis;
}

export async function closeQueues(): Promise<void> {
  const queues = [...(registry.__spanlensQueues?.values() ?? [])];
  registry.__spanlensQueues?.clear();
  await Promise.all(
    queues.map(async (queue) => {
      await queue.close();
      await (await queue.client).quit().catch(() => undefined);
    }),
  );
}

/**
 * Removes every key under a queue prefix: jobs, their event streams and counters, and
 * bodies of requests never stored. For a prefix nothing uses any more, such as a test
 * run's: a Redis that tests and benchmarks share would otherwise keep each run's event
 * streams, and every rewrite of its append-only log copies them again.
 */
export async function deleteQueuePrefix(prefix: string, redis: Redis): Promise<number> {
  if (!prefix) throw new Error("deleteQueuePrefix needs a non-empty prefix");
  let deleted = 0;
  // SCAN in pages, not KEYS: Redis stays responsive however many keys the prefix holds.
  for await (const page of redis.scanStream({ match: `${prefix}:*`, count: 1000 })) {
    const keys = page as string[];
    if (keys.length > 0) deleted += await redis.unlink(...keys);
  }
  return deleted;
}

export interface TCreateConsumerOptions extends Omit<WorkerOptions, "connection" | "prefix">, TConsumerWorkerSettings {}

/** A consumer with its own blocking connection, as BullMQ requires (see `ConsumerWorker`). */
export function createConsumer<TData, TResult>(
  name: TQueueName,
  processor: Processor<TData, TResult>,
  { gatherMs, apartAfterStalls, afterClose, ...options }: TCreateConsumerOptions = {},
): Worker<TData, TResult> {
  const workerOptions = { ...options, connection: createRedis(), prefix: queuePrefix() };
  return new ConsumerWorker<TData, TResult>(name, processor, workerOptions, { gatherMs, apartAfterStalls, afterClose });
}

export interface TRetryFailedOptions {
  /** Hears what is left to do, every second while it runs. */
  onProgress?: (message: string) => void;
  /**
   * For each of a page of failed jobs, whether no retry can store it (see
   * {@link ingestBodiesGone}): those are removed instead of retried, so they neither fail
   * again nor keep the worker's health answer asking for this command.
   */
  isUnstorable?: (jobs: Job[]) => Promise<boolean[]>;
}

export interface TRetryFailedResult {
  /** Jobs put back in the queue. */
  retried: number;
  /** Jobs removed as unstorable, and how many of them each project sent. */
  removed: { jobs: number; byProject: Record<string, number> };
}

const FAILED_PAGE = 1_000;

/**
 * Puts a queue's jobs that failed for good back in it, as after fixing what failed them: a
 * ClickHouse unreachable for longer than an ingest job's retries (about three days), or an
 * older worker during an upgrade. An OTLP job's body is kept a week from when the request
 * arrived, so a job put back within that week has its spans stored when it runs again; with
 * `isUnstorable` the jobs past that are removed instead, and counted.
 *
 * The unstorable ones are found first, page by page, and removed after: removing while paging
 * would shift the pages. A job that fails while this runs may be missed by the scan; it is
 * then retried, and the worker fails it again with the reason.
 */
export async function retryFailedJobs(
  name: TQueueName,
  { onProgress, isUnstorable }: TRetryFailedOptions = {},
): Promise<TRetryFailedResult> {
  const queue = getQueue(name);
  const removed: TRetryFailedResult["removed"] = { jobs: 0, byProject: {} };
  const failed = await queue.getFailedCount();
  if (failed === 0) return { retried: 0, removed };
  if (isUnstorable) {
    const unstorable = new Map<string, string>();
    let checked = 0;
    const timer = setInterval(() => onProgress?.(`checked ${checked} of ${failed} failed jobs…`), 1_000);
    try {
      for (let start = 0; start < failed; start += FAILED_PAGE) {
        const jobs = (await queue.getFailed(start, start + FAILED_PAGE - 1)).filter((job): job is Job => !!job?.id);
        const flags = await isUnstorable(jobs);
        jobs.forEach((job, index) => {
          if (flags[index]) unstorable.set(job.id as string, projectOf(job));
        });
        checked += jobs.length;
      }
      const gone = [...unstorable.keys()];
      for (let start = 0; start < gone.length; start += FAILED_PAGE) {
        const ids = gone.slice(start, start + FAILED_PAGE);
        const results = await Promise.all(ids.map((id) => queue.remove(id)));
        ids.forEach((id, index) => {
          if (results[index] !== 1) return;
          const project = unstorable.get(id) as string;
          removed.jobs += 1;
          removed.byProject[project] = (removed.byProject[project] ?? 0) + 1;
        });
      }
    } finally {
      clearInterval(timer);
    }
  }
  const retried = await queue.getFailedCount();
  if (retried === 0) return { retried, removed };
  const timer = setInterval(() => {
    queue.getFailedCount().then(
      (left) => onProgress?.(`${left} failed jobs still to move back…`),
      () => undefined,
    );
  }, 1_000);
  try {
    await queue.retryJobs({ state: "failed", count: FAILED_PAGE });
  } finally {
    clearInterval(timer);
  }
  return { retried, removed };
}

function projectOf(job: Job): string {
  const projectId = (job.data as { projectId?: unknown } | undefined)?.projectId;
  return typeof projectId === "string" ? projectId : "(unknown)";
}

/**
 * For each OTLP ingest job, whether its body is gone from Redis: expired a week after the
 * request arrived, or deleted once its rows were stored. Either way no retry can store
 * anything of it. Jobs that carry their body inline (queued by earlier versions), or that
 * this version cannot read, are never counted gone.
 */
export async function ingestBodiesGone(jobs: Job[]): Promise<boolean[]> {
  const keys = jobs.map((job) => {
    const bodyKey = (job.data as { bodyKey?: unknown } | undefined)?.bodyKey;
    return typeof bodyKey === "string" ? bodyKey : null;
  });
  const wanted = keys.filter((key): key is string => key !== null);
  if (wanted.length === 0) return keys.map(() => false);
  const pipeline = getRedis().pipeline();
  for (const key of wanted) pipeline.exists(key);
  const answers = (await pipeline.exec()) ?? [];
  let next = 0;
  return keys.map((key) => {
    if (key === null) return false;
    const [error, exists] = answers[next++] ?? [null, 1];
    if (error) throw error;
    return exists === 0;
  });
}
