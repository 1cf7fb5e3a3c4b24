import { parseEnv, startEventLoopWatchdog, ZPort } from "@spanlens/core";
import { assertPostgresReachable, closePrisma } from "@spanlens/db";
import { assertRedisReachable } from "@spanlens/queue";
import { z } from "zod";
import { readGrpcPort, readIngestConfig } from "./config.js";
import { startConfiguredGrpcIngest } from "./grpc.js";
import { closeIntake } from "./intake.js";
import { closeGracefully, startIngest } from "./server.js";

const env = parseEnv(
  z.object({
    INGEST_PORT: ZPort.default(4318),
    HOST: z.string().default("0.0.0.0"),
    /**
     * The process kills itself once its event loop has not run for this long (0: never), so
     * that a receiver stuck on a request is restarted (see `startEventLoopWatchdog`). Three
     * times an exporter's usual 10 s timeout: every export in flight has been given up on by
     * then, and nothing unanswered was acknowledged.
     */
    INGEST_BLOCKED_EXIT_MS: z.coerce.number().int().nonnegative().default(30_000),
  }),
);

try {
  const config = readIngestConfig();
  const grpcSetting = readGrpcPort();
  await Promise.all([assertPostgresReachable(), assertRedisReachable()]);
  const server = await startIngest({ port: env.INGEST_PORT, hostname: env.HOST, config });
  const grpc = await startConfiguredGrpcIngest({ setting: grpcSetting, hostname: env.HOST, config });
  if (env.INGEST_BLOCKED_EXIT_MS > 0) {
    startEventLoopWatchdog({ limitMs: env.INGEST_BLOCKED_EXIT_MS, setting: "INGEST_BLOCKED_EXIT_MS" });
  }
  const stop = () =>
    void Promise.all([closeGracefully(server), grpc?.close()])
      .then(() => closeIntake())
      .then(() => closePrisma())
      .then(() => process.exit(0));
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
} catch (error) {
  console.error(`spanlens ingest: ${(error as Error).message}`);
  process.exit(1);
}
