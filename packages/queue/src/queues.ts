import type { TQueueName } from "@spanlens/core";
import { type Processor, Queue, Worker, type WorkerOptions } from "bullmq";
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

/** A consumer with its own blocking connection, as BullMQ requires. */
export function createConsumer<TData, TResult>(
  name: TQueueName,
  processor: Processor<TData, TResult>,
  options: Omit<WorkerOptions, "connection" | "prefix"> = {},
): Worker<TData, TResult> {
  return new Worker<TData, TResult>(name, processor, { ...options, connection: createRedis(), prefix: queuePrefix() });
}
