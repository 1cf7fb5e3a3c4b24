/**
 * What the scaled-layout benchmarks beside `pnpm bench:ingest` start alike (`pnpm bench:project-fairness`,
 * `pnpm bench:stall-recovery`): ClickHouse in its own process, the pipeline harness in this one (projects and
 * API keys, the queue prefix, the engine's schema; no consumers here) and the receiver process. Workers they start
 * themselves, when they need them. Needs DATABASE_URL and REDIS_URL (docs/benchmarks.md).
 */
import { rm } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { startPipeline } from "../apps/all-in-one/test/pipeline-harness.js";
import { INGEST_NODE_FLAGS } from "../apps/ingest/src/node-flags.js";
import { INGEST_DEFAULTS } from "../apps/worker/src/index.js";
import { startClickHouseProcess, startReceiverProcess, terminate } from "./ingest-processes.js";

export async function startScaledServices(ports: { receiver: number; clickhouse: number }) {
  for (const name of ["DATABASE_URL", "REDIS_URL"]) {
    if (!process.env[name]) throw new Error(`${name} must be set (see docs/benchmarks.md)`);
  }
  process.env.LOG_LEVEL ??= "warn";
  process.env.WORKER_BATCH_MAX_WAIT_MS ??= String(INGEST_DEFAULTS.batchMaxWaitMs);
  const clickhouse = await startClickHouseProcess(ports.clickhouse);
  const pipeline = await startPipeline({ clickhouseUrl: clickhouse.url, consumers: [] });
  const receiver = await startReceiverProcess(ports.receiver, INGEST_NODE_FLAGS);
  return {
    clickhouse,
    pipeline,
    receiver,
    /** Stops the receiver, the harness and ClickHouse, and removes the engine's data directory. */
    async stop() {
      await terminate(receiver.child, "receiver");
      await Promise.race([pipeline.stop(), sleep(15_000)]);
      clickhouse.child.kill("SIGTERM");
      await rm(clickhouse.dataDir, { recursive: true, force: true });
    },
  };
}
