import { childLogger } from "@spanlens/core";
import type { Worker } from "bullmq";

const log = childLogger("worker");

export interface TRunningWorker {
  /** BullMQ consumers this process runs, by queue name. */
  consumers: ReadonlyMap<string, Worker>;
  close: () => Promise<void>;
}

/** A consumer factory: each queue contract in core gets one, registered below. */
export type TConsumerFactory = () => Worker;

/**
 * Starts every BullMQ consumer. Storage clients (ClickHouse, Postgres, Redis) are
 * process-wide singletons the caller has initialised, so the same function serves the
 * standalone worker and the all-in-one process.
 */
export async function startWorker(factories: readonly TConsumerFactory[] = []): Promise<TRunningWorker> {
  const consumers = new Map<string, Worker>();
  for (const factory of factories) {
    const consumer = factory();
    consumer.on("failed", (job, error) => log.warn({ queue: consumer.name, jobId: job?.id, err: error }, "job failed"));
    consumers.set(consumer.name, consumer);
  }
  await Promise.all([...consumers.values()].map((consumer) => consumer.waitUntilReady()));
  log.info({ queues: [...consumers.keys()] }, "worker started");
  return {
    consumers,
    close: async () => {
      // Worker.close() waits for active jobs, so nothing in flight is abandoned.
      await Promise.all([...consumers.values()].map((consumer) => consumer.close()));
    },
  };
}
