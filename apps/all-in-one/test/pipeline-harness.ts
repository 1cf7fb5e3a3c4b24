import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import type { Server } from "node:http";
import { createServer as createNetServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { closeClickHouse, getClickHouse, initClickHouse, runClickHouseMigrations } from "@spanlens/clickhouse";
import { closePrisma, createApiKey, getPrisma } from "@spanlens/db";
import { closeIntake, readIngestConfig, startGrpcIngest, startIngest } from "@spanlens/ingest";
import { closeQueues, closeRedis, deleteQueuePrefix, getRedis, queuePrefix } from "@spanlens/queue";
import {
  defaultConsumers,
  sharedLoopEncodeThreads,
  startWorker,
  type TConsumerFactory,
  type TRunningWorker,
} from "@spanlens/worker";

export interface TPipeline {
  /** Base URL of the OTLP receiver (`${baseUrl}/v1/traces`). */
  baseUrl: string;
  /** host:port of the OTLP/gRPC receiver. */
  grpcAddress: string;
  projectId: string;
  publicKey: string;
  secretKey: string;
  worker: TRunningWorker;
  /** Creates another project with its own key in the same organization. */
  createProject(): Promise<{ projectId: string; secretKey: string }>;
  stop(): Promise<void>;
}

/**
 * The real pipeline in this process: OTLP receiver → BullMQ (Redis) → worker → embedded
 * ClickHouse in a fresh temporary directory (or the ClickHouse at `clickhouseUrl`). Each
 * test file gets its own queue prefix, organization and project. `consumers: []` leaves
 * the queues to a worker running elsewhere.
 */
export async function startPipeline(
  options: { clickhouseUrl?: string; consumers?: TConsumerFactory[] } = {},
): Promise<TPipeline> {
  process.env.SPANLENS_QUEUE_PREFIX = `test-${randomUUID()}`;
  process.env.WORKER_BATCH_MAX_WAIT_MS ??= "50";
  const dataDir = await mkdtemp(path.join(tmpdir(), "spanlens-pipeline-"));
  const client = await initClickHouse(
    options.clickhouseUrl
      ? { mode: "server", url: options.clickhouseUrl, database: "spanlens" }
      : { mode: "embedded", path: dataDir, database: "spanlens" },
  );
  await runClickHouseMigrations(client, { database: "spanlens" });

  const org = await getPrisma().organization.create({ data: { name: `pipeline ${randomUUID()}` } });
  const createProject = async () => {
    const project = await getPrisma().project.create({ data: { orgId: org.id, name: "pipeline" } });
    const key = await createApiKey(project.id);
    return { projectId: project.id, publicKey: key.publicKey, secretKey: key.secretKey };
  };
  const main = await createProject();
  // As all-in-one runs it: the event loop also serves the receiver.
  const worker = await startWorker(options.consumers ?? defaultConsumers({ encodeThreads: sharedLoopEncodeThreads() }));
  const server: Server = await startIngest({ port: 0, hostname: "127.0.0.1" });
  const address = server.address();
  if (!address || typeof address === "string") throw new Error("ingest did not bind a port");
  const grpc = await startGrpcIngest({ port: 0, hostname: "127.0.0.1", config: readIngestConfig() });

  return {
    baseUrl: `http://127.0.0.1:${address.port}`,
    grpcAddress: `127.0.0.1:${grpc.port}`,
    ...main,
    worker,
    createProject,
    async stop() {
      await Promise.all([new Promise((resolve) => server.close(resolve)), grpc.close()]);
      await closeIntake();
      await worker.close();
      await closeQueues();
      // This run's prefix is used by nothing else: its keys go with it.
      await deleteQueuePrefix(queuePrefix(), getRedis());
      await closeRedis();
      await closeClickHouse();
      await getPrisma().organization.delete({ where: { id: org.id } });
      await closePrisma();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Polls until `read` returns a value that `isDone` accepts, or fails after the timeout. */
export async function waitFor<T>(
  read: () => Promise<T>,
  isDone: (value: T) => boolean,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (isDone(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`condition not met within ${timeoutMs} ms; last value: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A TCP port free on 127.0.0.1 right now, for a process the test starts. */
export async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (!address || typeof address === "string") throw new Error("no port");
  return address.port;
}

export { getClickHouse };
