import { createServer } from "node:http";
import { closeClickHouse, initClickHouse } from "@spanlens/clickhouse";
import {
  childLogger,
  exitIfStopOutlasts,
  parseEnv,
  QueueName,
  startEventLoopWatchdog,
  withTimeout,
  ZPort,
  ZShutdownTimeoutMs,
} from "@spanlens/core";
import { assertPostgresReachable, closePrisma } from "@spanlens/db";
import { assertRedisReachable, ConsumerWorker, closeQueues, closeRedis, getQueue } from "@spanlens/queue";
import type { Worker } from "bullmq";
import { z } from "zod";
import { defaultConsumers } from "./consumers.js";
import { startWorker } from "./worker.js";

const env = parseEnv(
  z.object({
    WORKER_HEALTH_PORT: ZPort.default(3030),
    /**
     * How long a stopping worker waits for its active jobs (default 25 s, inside the 30 s an
     * orchestrator usually allows). Past it the process exits anyway: the unfinished jobs
     * stay in Redis and another worker takes them once their locks expire.
     */
    WORKER_SHUTDOWN_TIMEOUT_MS: ZShutdownTimeoutMs,
    /**
     * The process kills itself once its event loop has not run for this long (0: never), so
     * that a worker stuck on a payload is restarted (see `startEventLoopWatchdog`). Twice
     * the default job lock: by then the jobs it held have gone to other workers.
     */
    WORKER_BLOCKED_EXIT_MS: z.coerce.number().int().nonnegative().default(60_000),
  }),
);
const log = childLogger("worker");

const HEALTH_REDIS_TIMEOUT_MS = 1_000;

/**
 * The OTLP ingest queue's job counts, with what to do about jobs that failed for good, and the
 * jobs this worker runs apart after they stalled under workers that stopped (see `runsApart`).
 */
async function ingestQueueCounts(consumer: Worker | undefined): Promise<Record<string, unknown>> {
  const apart = consumer instanceof ConsumerWorker ? consumer.runningApart() : null;
  try {
    const {
      waiting = 0,
      prioritized = 0,
      active = 0,
      delayed = 0,
      failed = 0,
    } = await withTimeout(
      getQueue(QueueName.OtlpIngest).getJobCounts("waiting", "prioritized", "active", "delayed", "failed"),
      HEALTH_REDIS_TIMEOUT_MS,
      () => new Error("Redis did not answer in time"),
    );
    // Exports of a project taking more than its share wait as prioritized, behind the others'.
    const counts = {
      waiting: waiting + prioritized,
      active,
      delayed,
      failed,
      ...(apart ? { runningApart: apart } : {}),
    };
    return failed > 0
      ? { ...counts, hint: "ingest jobs failed for good: fix the cause, then run pnpm queue:retry-failed" }
      : counts;
  } catch (error) {
    return { error: (error as Error).message };
  }
}

try {
  await Promise.all([assertPostgresReachable(), assertRedisReachable(), initClickHouse()]);
  const worker = await startWorker(defaultConsumers());
  if (env.WORKER_BLOCKED_EXIT_MS > 0)
    startEventLoopWatchdog({ limitMs: env.WORKER_BLOCKED_EXIT_MS, setting: "WORKER_BLOCKED_EXIT_MS" });
  // A tiny liveness endpoint for orchestrators (the worker serves no other HTTP), which also
  // tells an operator how the ingest queue stands: jobs that failed for good need
  // `pnpm queue:retry-failed` once their cause is fixed. Liveness does not wait on Redis.
  const health = createServer((_req, res) => {
    void ingestQueueCounts(worker.consumers.get(QueueName.OtlpIngest)).then((ingest) => {
      res.setHeader("Content-Type", "application/json");
      res.end(JSON.stringify({ status: "ok", queues: [...worker.consumers.keys()], ingest }));
    });
  }).listen(env.WORKER_HEALTH_PORT);
  const stop = async () => {
    health.close();
    exitIfStopOutlasts(env.WORKER_SHUTDOWN_TIMEOUT_MS, () =>
      log.warn(
        { timeoutMs: env.WORKER_SHUTDOWN_TIMEOUT_MS },
        "active jobs did not finish in time; exiting, they will be redelivered",
      ),
    );
    await worker.close();
    await Promise.all([closeClickHouse(), closePrisma(), closeRedis(), closeQueues()]);
    process.exit(0);
  };
  process.once("SIGINT", () => void stop());
  process.once("SIGTERM", () => void stop());
} catch (error) {
  console.error(`spanlens worker: ${(error as Error).message}`);
  process.exit(1);
}
