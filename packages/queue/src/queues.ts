import { setTimeout as sleep } from "node:timers/promises";
import type { TQueueName } from "@spanlens/core";
import { type Job, type JobJsonRaw, type Processor, Queue, type RedisClient, Worker, type WorkerOptions } from "bullmq";
import type { Redis } from "ioredis";
import { createRedis } from "./redis.js";

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
 * kept, so a job still waiting after a week of no worker finds its body gone (logged).
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

export interface TCreateConsumerOptions extends Omit<WorkerOptions, "connection" | "prefix"> {
  /**
   * Once a fetch has found the queue empty, wait this long before the next one, so the jobs
   * that arrive meanwhile are taken in one burst instead of each waking the worker and Redis
   * on its own (0: fetch as soon as a job is announced). See `GatheringWorker`.
   */
  gatherMs?: number;
}

/** A consumer with its own blocking connection, as BullMQ requires. */
export function createConsumer<TData, TResult>(
  name: TQueueName,
  processor: Processor<TData, TResult>,
  { gatherMs = 0, ...options }: TCreateConsumerOptions = {},
): Worker<TData, TResult> {
  const workerOptions = { ...options, connection: createRedis(), prefix: queuePrefix() };
  return gatherMs > 0
    ? new GatheringWorker<TData, TResult>(name, processor, workerOptions, gatherMs)
    : new Worker<TData, TResult>(name, processor, workerOptions);
}

/**
 * A BullMQ worker that gathers jobs when traffic is light. A drained BullMQ worker blocks on
 * the queue's marker, and each job that arrives wakes it to fetch that one job, then fetch
 * again to find the queue empty, then block again: several Redis round trips, and as many
 * wakeups of the worker and of Redis, per job. Under load none of that happens, because
 * completing a job fetches the next in the same script. Waiting `gatherMs` after an empty
 * fetch lets the jobs of that interval be fetched back to back, so the fixed cost of waking
 * up is shared; jobs wait at most `gatherMs` longer, and a busy queue never waits.
 *
 * BullMQ has no option for this (its rate limiter delays jobs but does not gather them);
 * the hooks are its protected `moveToActive`, through which every fetch outside a
 * completion goes, and `nextJobFromJobData`, through which every fetch's result goes.
 */
export class GatheringWorker<TData, TResult> extends Worker<TData, TResult> {
  private lastFetchFoundNothing = false;
  /** Ends a gathering wait at once when the worker closes. */
  private readonly stopGathering = new AbortController();

  constructor(
    name: string,
    processor: Processor<TData, TResult>,
    options: WorkerOptions,
    private readonly gatherMs: number,
  ) {
    super(name, processor, options);
  }

  protected override async moveToActive(
    client: RedisClient,
    token: string,
    name?: string,
  ): Promise<Job<TData, TResult>> {
    if (this.lastFetchFoundNothing) {
      await sleep(this.gatherMs, undefined, { signal: this.stopGathering.signal }).catch(() => undefined);
    }
    // Fetch even when closing or paused meanwhile, as BullMQ does once woken: the wake-up
    // signal this fetch answers is already taken, and a job left waiting without it would
    // wait for some worker's next timed-out block. Fetches that gather nothing (after a
    // delayed job comes due, a rate limit, or a job moved back to waiting) also wait,
    // which at `gatherMs` is harmless.
    return super.moveToActive(client, token, name);
  }

  override close(force?: boolean): Promise<void> {
    this.stopGathering.abort();
    return super.close(force);
  }

  protected override nextJobFromJobData(
    jobData?: JobJsonRaw,
    jobId?: string,
    token?: string,
  ): Promise<Job<TData, TResult>> {
    this.lastFetchFoundNothing = !jobData;
    return super.nextJobFromJobData(jobData, jobId, token);
  }
}

/**
 * Puts a queue's jobs that failed for good back in it, as after fixing what failed them: a
 * ClickHouse unreachable for longer than an ingest job's retries (about three days), or an
 * older worker during an upgrade. An OTLP job's body is kept a week from when the request
 * arrived, so a job put back within that week has its spans stored when it runs again. `onProgress`
 * hears how many are still failed, every second while it runs. Returns how many were failed
 * when it started.
 */
export async function retryFailedJobs(name: TQueueName, onProgress?: (stillFailed: number) => void): Promise<number> {
  const queue = getQueue(name);
  const failed = await queue.getFailedCount();
  if (failed === 0) return 0;
  const timer = setInterval(() => {
    queue.getFailedCount().then(onProgress, () => undefined);
  }, 1_000);
  try {
    await queue.retryJobs({ state: "failed", count: 1_000 });
  } finally {
    clearInterval(timer);
  }
  return failed;
}
