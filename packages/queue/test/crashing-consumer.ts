/**
 * A consumer process for the queue's tests (`consumer-worker.integration.test.ts`): a
 * `ConsumerWorker` on the queue named by CONSUMER_QUEUE, whose processor kills its own process
 * with SIGKILL on a job marked `crashes`, as a job that crashes its worker would. Every other job
 * holds its slot for CONSUMER_JOB_MS, as jobs waiting on a shared batch do. Prints a line
 * `started <job id> <jobs running> <times stalled>` as each job starts, and `ended <job id>` as
 * its processor returns.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { ConsumerWorker } from "../src/consumer-worker.js";
import { createRedis } from "../src/redis.js";

const name = process.env.CONSUMER_QUEUE;
const prefix = process.env.CONSUMER_PREFIX;
if (!name || !prefix) throw new Error("CONSUMER_QUEUE and CONSUMER_PREFIX are required");
const jobMs = Number(process.env.CONSUMER_JOB_MS ?? 2_000);

let running = 0;
const worker = new ConsumerWorker<{ crashes?: boolean }, string>(
  name,
  async (job) => {
    running += 1;
    process.stdout.write(`started ${job.id} ${running} ${job.stalledCounter}\n`);
    try {
      if (job.data.crashes) {
        // Time for the fetch loop to take whatever else it would take beside this job.
        await sleep(200);
        process.kill(process.pid, "SIGKILL");
      }
      await sleep(jobMs);
      return "stored";
    } finally {
      running -= 1;
      process.stdout.write(`ended ${job.id}\n`);
    }
  },
  {
    connection: createRedis(),
    prefix,
    concurrency: 16,
    lockDuration: 1_000,
    stalledInterval: 500,
    maxStalledCount: 3,
  },
  { apartAfterStalls: 2 },
);
worker.on("error", (error) => process.stderr.write(`worker error: ${error.message}\n`));
process.once("SIGTERM", () => {
  void worker.close().then(() => process.exit(0));
});
