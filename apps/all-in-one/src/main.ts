import { createServer } from "node:http";
import path from "node:path";
import {
  closeClickHouse,
  initClickHouse,
  resolveClickHouseOptions,
  runClickHouseMigrations,
} from "@spanlens/clickhouse";
import {
  childLogger,
  exitIfStopOutlasts,
  parseEnv,
  setColocatedIngest,
  ZPort,
  ZShutdownTimeoutMs,
} from "@spanlens/core";
import { assertPostgresReachable, closePrisma } from "@spanlens/db";
import {
  closeGracefully,
  closeIntake,
  configureIngestServer,
  createIngestHandler,
  isIngestPath,
  readGrpcPort,
  readIngestConfig,
  startConfiguredGrpcIngest,
} from "@spanlens/ingest";
import { assertRedisReachable, closeRedis } from "@spanlens/queue";
import { createWebHandler } from "@spanlens/web";
import { defaultConsumers, sharedLoopEncodeThreads, startWorker } from "@spanlens/worker";
import { z } from "zod";
import { ensureDemoAccount, sendDemoTraces } from "./demo-seed.js";

const log = childLogger("all-in-one");

const ZAllInOneEnv = z.object({
  PORT: ZPort.default(3000),
  HOST: z.string().default("0.0.0.0"),
  PUBLIC_URL: z.url().optional(),
  SPANLENS_DATA_DIR: z.string().default(".data"),
  SPANLENS_SEED_DEMO: z.enum(["0", "1"]).default("1"),
  /** Bounds the whole stop, as a separate worker's (active jobs, a Redis that is gone). */
  WORKER_SHUTDOWN_TIMEOUT_MS: ZShutdownTimeoutMs,
});

/**
 * Web, ingest and worker in one process. Embedded ClickHouse (chdb) locks its data
 * directory to a single process, so this is the default for one machine; each part is
 * the same start function the separate-process deployment uses.
 */
async function main(): Promise<void> {
  const env = parseEnv(ZAllInOneEnv);
  const ingestConfig = readIngestConfig();
  const grpcSetting = readGrpcPort();
  const dataDir = path.resolve(env.SPANLENS_DATA_DIR);
  const baseUrl = env.PUBLIC_URL ?? `http://localhost:${env.PORT}`;

  const clickHouseOptions = resolveClickHouseOptions();
  const [, , clickHouse] = await Promise.all([
    assertPostgresReachable(),
    assertRedisReachable(),
    initClickHouse(clickHouseOptions),
  ]);
  // Embedded ClickHouse has no separate migrate step to run it, so boot applies migrations.
  await runClickHouseMigrations(clickHouse, {
    database: clickHouseOptions.database,
    ...(clickHouseOptions.mode === "server" && clickHouseOptions.cluster ? { cluster: clickHouseOptions.cluster } : {}),
  });
  // The event loop also serves the web app and the receiver: decoding gets a thread.
  const worker = await startWorker(defaultConsumers({ encodeThreads: sharedLoopEncodeThreads() }));
  const web = await createWebHandler({ port: env.PORT, hostname: env.HOST });
  const ingest = createIngestHandler(ingestConfig);

  const server = createServer((req, res) => {
    const pathname = new URL(req.url ?? "/", "http://localhost").pathname;
    void (isIngestPath(pathname) ? ingest(req, res) : web.handle(req, res));
  });
  // Exporters post to this same port, so it keeps their idle connections as the receiver does.
  configureIngestServer(server, ingestConfig);
  await new Promise<void>((resolve) => server.listen(env.PORT, env.HOST, resolve));
  // OTLP/gRPC exporters cannot share the HTTP/1.1 port: they get the conventional one.
  const grpc = await startConfiguredGrpcIngest({ setting: grpcSetting, hostname: env.HOST, config: ingestConfig });
  // The settings page shows exporters this process's gRPC port on the host they browse to.
  setColocatedIngest({ otlpGrpcPort: grpc?.port ?? null });

  const seeded = env.SPANLENS_SEED_DEMO === "1" ? await ensureDemoAccount(dataDir, baseUrl) : null;
  const demo = seeded?.credentials;
  if (seeded?.isNew) {
    await sendDemoTraces(`http://127.0.0.1:${env.PORT}`, seeded.credentials, (message) =>
      log.warn(`demo seed: ${message}`),
    ).catch((error: unknown) => log.warn({ err: error }, "could not send the demo traces"));
  }
  const lines = [`Spanlens is running at ${baseUrl}`];
  if (grpc) lines.push(`OTLP/gRPC on port ${grpc.port}`);
  else if (grpcSetting.port !== null)
    lines.push(`OTLP/gRPC is off: port ${grpcSetting.port} is taken (INGEST_GRPC_PORT)`);
  if (demo)
    lines.push(
      `Demo login: ${demo.email} / ${demo.password}  (saved in ${path.join(dataDir, "demo-credentials.json")})`,
    );
  console.log(`\n  ${lines.join("\n  ")}\n`);

  let isStopping = false;
  const stop = async (signal: string) => {
    if (isStopping) return;
    isStopping = true;
    log.info({ signal }, "shutting down");
    exitIfStopOutlasts(env.WORKER_SHUTDOWN_TIMEOUT_MS, () =>
      log.warn(
        { timeoutMs: env.WORKER_SHUTDOWN_TIMEOUT_MS },
        "the stop did not finish in time; exiting, the jobs still held will be redelivered",
      ),
    );
    await Promise.all([closeGracefully(server), grpc?.close()]);
    await closeIntake();
    await worker.close();
    await web.close();
    await Promise.all([closeClickHouse(), closePrisma(), closeRedis()]);
    process.exit(0);
  };
  process.once("SIGINT", () => void stop("SIGINT"));
  process.once("SIGTERM", () => void stop("SIGTERM"));
}

main().catch((error: unknown) => {
  // Configuration and reachability problems are one line naming the variable, not a trace.
  console.error(`spanlens: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
