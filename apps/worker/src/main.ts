import { createServer } from "node:http";
import { closeClickHouse, initClickHouse } from "@spanlens/clickhouse";
import { parseEnv, ZPort } from "@spanlens/core";
import { assertPostgresReachable, closePrisma } from "@spanlens/db";
import { assertRedisReachable, closeRedis } from "@spanlens/queue";
import { z } from "zod";
import { defaultConsumers } from "./consumers.js";
import { startWorker } from "./worker.js";

const env = parseEnv(z.object({ WORKER_HEALTH_PORT: ZPort.default(3030) }));

try {
  await Promise.all([assertPostgresReachable(), assertRedisReachable(), initClickHouse()]);
  const worker = await startWorker(defaultConsumers());
  // A tiny liveness endpoint for orchestrators; the worker serves no other HTTP.
  const health = createServer((_req, res) => {
    res.setHeader("Content-Type", "application/json");
    res.end(JSON.stringify({ status: "ok", queues: [...worker.consumers.keys()] }));
  }).listen(env.WORKER_HEALTH_PORT);
  const stop = async () => {
    health.close();
    await worker.close();
    await Promise.all([closeClickHouse(), closePrisma(), closeRedis()]);
    process.exit(0);
  };
  process.once("SIGINT", () => void stop());
  process.once("SIGTERM", () => void stop());
} catch (error) {
  console.error(`spanlens worker: ${(error as Error).message}`);
  process.exit(1);
}
