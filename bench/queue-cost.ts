/**
 * What the one queue job per OTLP request costs, apart from everything else the pipeline does.
 * The producing side is the receiver's: the body's SET and `queue.add` with the receiver's job
 * options, on the receiver's auto-pipelined connection, 64 requests in flight. The consuming
 * side is the worker's consumer as `createConsumer` builds it (1,024 jobs at once, gathering
 * under light traffic), whose processor only reads the body and deletes it, as the worker does
 * around its real work. Each round adds BENCH_QUEUE_JOBS jobs and then consumes them, and
 * reports CPU per job of this process in each phase and of Redis (its INFO cpu), with Redis's
 * own count of scripts per job and their time, after an unmeasured round of 2,000 jobs; the
 * summary takes each side's median over the rounds. Redis must serve nothing else meanwhile; the
 * bench works under a key prefix of its own and deletes it after each round.
 *
 *   REDIS_URL=redis://127.0.0.1:63790/4 pnpm bench:queue-cost   (BENCH_QUEUE_JOBS=20000, BENCH_QUEUE_ROUNDS=5)
 */
import { randomBytes, randomUUID } from "node:crypto";
import { QueueName, type TOtlpIngestJob } from "../packages/core/src/index.js";

process.env.SPANLENS_QUEUE_PREFIX = `bench-queue-cost-${process.pid}`;
const {
  closeQueues,
  closeRedis,
  createConsumer,
  deleteQueuePrefix,
  getQueue,
  getRedis,
  otlpBodyKey,
  queueConnection,
  queuePrefix,
} = await import("../packages/queue/src/index.js");
const { ingestJobOptions } = await import("../apps/ingest/src/intake.js");
const { INGEST_DEFAULTS } = await import("../apps/worker/src/consumers.js");

const JOBS = Number(process.env.BENCH_QUEUE_JOBS ?? 20_000);
/** Jobs of an unmeasured first round: connections, scripts loaded, code compiled. */
const WARMUP_JOBS = 2_000;
const ROUNDS = Number(process.env.BENCH_QUEUE_ROUNDS ?? 5);
const IN_FLIGHT = 64;
/** The ingest benchmark's mean gzip body (10 spans in the size mix). */
const BODY_BYTES = 12 * 1024;

const redis = getRedis();

/** Redis's own CPU time so far, in µs (its main thread and its I/O threads). */
async function redisCpuMicros(): Promise<number> {
  const info = await redis.info("cpu");
  const read = (field: string) => Number(new RegExp(`^${field}:([\\d.]+)`, "m").exec(info)?.[1] ?? Number.NaN);
  return (read("used_cpu_sys") + read("used_cpu_user")) * 1e6;
}

/** Scripts Redis ran since its statistics were reset: how many, and their time in µs. */
async function scripts(): Promise<{ calls: number; micros: number }> {
  const info = await redis.info("commandstats");
  let calls = 0;
  let micros = 0;
  for (const match of info.matchAll(/^cmdstat_eval(?:sha)?:calls=(\d+),usec=(\d+)/gm)) {
    calls += Number(match[1]);
    micros += Number(match[2]);
  }
  return { calls, micros };
}

/** CPU per job of this process and of Redis over `phase`, and Redis's scripts per job. */
async function measure(phase: (jobs: number) => Promise<void>) {
  await redis.config("RESETSTAT");
  const redisBefore = await redisCpuMicros();
  const cpuBefore = process.cpuUsage();
  await phase(JOBS);
  const { user, system } = process.cpuUsage(cpuBefore);
  const redisMicros = (await redisCpuMicros()) - redisBefore;
  const ran = await scripts();
  const round1 = (value: number) => Math.round(value * 10) / 10;
  return {
    clientCpuMicrosPerJob: round1((user + system) / JOBS),
    redisCpuMicrosPerJob: round1(redisMicros / JOBS),
    redisScriptsPerJob: round1(ran.calls / JOBS),
    redisMicrosPerScript: round1(ran.micros / Math.max(1, ran.calls)),
  };
}

function jobData(requestId: string): TOtlpIngestJob {
  return {
    projectId: "cmbenchqueuecostproject0",
    requestId,
    contentId: randomBytes(32).toString("hex"),
    signal: "traces",
    encoding: "protobuf",
    bodyKey: otlpBodyKey(requestId),
    compression: "gzip",
    receivedAt: Date.now(),
    bytes: 29 * 1024,
    records: 10,
    transport: "http",
    userAgent: "OTel-OTLP-Exporter-JavaScript/0.301.0",
  };
}

/** The receiver's enqueue: the body's SET, then the job, on one connection (see intake.ts). */
async function produce(body: Buffer, jobs: number): Promise<void> {
  const queue = getQueue(QueueName.OtlpIngest);
  const client = await queueConnection(queue);
  let next = 0;
  const sender = async () => {
    while (next < jobs) {
      next += 1;
      const job = jobData(randomUUID());
      await Promise.all([
        client.set(job.bodyKey ?? "", body, "EX", 3600),
        queue.add(job.signal, job, ingestJobOptions(job.requestId, false)),
      ]);
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, sender));
}

/** The worker's consumer, reading and deleting each body as the ingest processor does. */
async function consume(jobs: number): Promise<void> {
  let completed = 0;
  let finish = () => {};
  const drained = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const consumer = createConsumer<TOtlpIngestJob, void>(
    QueueName.OtlpIngest,
    async (job) => {
      const key = job.data.bodyKey ?? "";
      if (!(await redis.getBuffer(key))) throw new Error(`body ${key} missing`);
      await redis.unlink(key);
    },
    { concurrency: INGEST_DEFAULTS.concurrency, gatherMs: INGEST_DEFAULTS.gatherMs },
  );
  consumer.on("completed", () => {
    completed += 1;
    if (completed === jobs) finish();
  });
  consumer.on("failed", (_job, error) => {
    throw error;
  });
  await drained;
  // BullMQ leaves a connection it was given open.
  const connection = await consumer.client;
  await consumer.close();
  await connection.quit();
}

const body = randomBytes(BODY_BYTES);
await produce(body, WARMUP_JOBS);
await consume(WARMUP_JOBS);
const rounds = [];
for (let round = 0; round < ROUNDS; round += 1) {
  const produced = await measure((jobs) => produce(body, jobs));
  const consumed = await measure(consume);
  rounds.push({ produce: produced, consume: consumed });
  await deleteQueuePrefix(queuePrefix(), redis);
  console.error(`round ${round + 1}/${ROUNDS}: ${JSON.stringify(rounds.at(-1))}`);
}
await Promise.all([closeQueues(), closeRedis()]);
const median = (values: number[]) =>
  Math.round(([...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN) * 10) / 10;
const perJob = {
  receiverSide: median(rounds.map((round) => round.produce.clientCpuMicrosPerJob)),
  workerSide: median(rounds.map((round) => round.consume.clientCpuMicrosPerJob)),
  redis: median(rounds.map((round) => round.produce.redisCpuMicrosPerJob + round.consume.redisCpuMicrosPerJob)),
};
const all = Math.round((perJob.receiverSide + perJob.workerSide + perJob.redis) * 10) / 10;
const medianCpuMicrosPerJob = { ...perJob, all };
console.log(
  JSON.stringify({ jobs: JOBS, bodyBytes: BODY_BYTES, inFlight: IN_FLIGHT, rounds, medianCpuMicrosPerJob }, null, 2),
);
