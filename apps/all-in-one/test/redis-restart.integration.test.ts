import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import type { ReadableSpan } from "@opentelemetry/sdk-trace";
import { defaultConsumers, startWorker, type TRunningWorker } from "@spanlens/worker";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { countStoredSpans } from "./ingest-checks.js";
import { createTraceSpans, toJsonBody } from "./otlp-payloads.js";
import { freePort, startPipeline, type TPipeline, waitFor } from "./pipeline-harness.js";

/**
 * Durability across a Redis restart and a Redis crash: a private redis-server with the
 * start command's AOF settings is stopped while acknowledged jobs wait in it, then
 * restarted on the same data directory.
 *
 * With the default `appendfsync everysec`, a stop (SIGTERM, as a service manager restarts
 * Redis) writes and syncs the AOF first, so nothing acknowledged is lost. A crash
 * (SIGKILL) can lose the last writes when a background fsync was slow: Redis then defers
 * writing its AOF buffer for up to 2 s but still answers clients. `appendfsync always`
 * (`SPANLENS_REDIS_APPENDFSYNC=always`) writes and syncs before any answer, so nothing
 * acknowledged is lost even to SIGKILL; the crash case runs with it.
 */

const ENQUEUE_TIMEOUT_MS = 1_000;
type TAppendFsync = "everysec" | "always";
let redisDir: string;
let redisPort: number;
let redis: ChildProcess | undefined;
let pipeline: TPipeline;
let worker: TRunningWorker | undefined;
const savedRedisUrl = process.env.REDIS_URL;

async function startRedis(appendFsync: TAppendFsync): Promise<ChildProcess> {
  const child = spawn(
    "redis-server",
    [
      "--bind",
      "127.0.0.1",
      "--port",
      String(redisPort),
      "--dir",
      redisDir,
      "--appendonly",
      "yes",
      "--appendfsync",
      appendFsync,
      "--save",
      "",
      "--auto-aof-rewrite-min-size",
      "512mb",
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  await new Promise<void>((resolve, reject) => {
    let output = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("Ready to accept connections")) resolve();
    });
    child.once("exit", (code) => reject(new Error(`redis-server exited with ${code}: ${output}`)));
  });
  return child;
}

async function stopRedis(signal: "SIGTERM" | "SIGKILL"): Promise<void> {
  const child = redis;
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill(signal);
  await exited;
}

function post(spans: ReadableSpan[]): Promise<Response> {
  return fetch(`${pipeline.baseUrl}/v1/traces`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${pipeline.secretKey}` },
    body: toJsonBody(spans),
  });
}

beforeAll(async () => {
  redisDir = await mkdtemp(path.join(tmpdir(), "spanlens-redis-"));
  redisPort = await freePort();
  redis = await startRedis("everysec");
  process.env.REDIS_URL = `redis://127.0.0.1:${redisPort}/0`;
  process.env.INGEST_ENQUEUE_TIMEOUT_MS = String(ENQUEUE_TIMEOUT_MS);
  pipeline = await startPipeline();
  await pipeline.worker.close();
}, 60_000);

afterAll(async () => {
  await worker?.close();
  await pipeline.stop();
  await stopRedis("SIGKILL");
  await rm(redisDir, { recursive: true, force: true });
  delete process.env.INGEST_ENQUEUE_TIMEOUT_MS;
  if (savedRedisUrl === undefined) delete process.env.REDIS_URL;
  else process.env.REDIS_URL = savedRedisUrl;
});

describe.each([
  { appendFsync: "everysec", signal: "SIGTERM", stop: "restarted" },
  { appendFsync: "always", signal: "SIGKILL", stop: "killed" },
] as const)("Redis $stop with appendfsync $appendFsync", ({ appendFsync, signal }) => {
  it("keeps every acknowledged request, answers 503 while Redis is away, and stores each span once", async () => {
    // No consumer while the jobs pile up: when Redis stops they exist only in Redis.
    await worker?.close();
    worker = undefined;
    await promisify(execFile)("redis-cli", ["-p", String(redisPort), "config", "set", "appendfsync", appendFsync]);

    const acknowledged: string[] = [];
    for (let index = 0; index < 20; index += 1) {
      const spans = createTraceSpans(3);
      const response = await post(spans);
      expect(response.status).toBe(200);
      acknowledged.push(spans[0]?.spanContext().traceId ?? "");
    }

    await stopRedis(signal);

    const startedAt = Date.now();
    const whileDown = await post(createTraceSpans(3));
    expect(whileDown.status).toBe(503);
    expect(whileDown.headers.get("retry-after")).toBe("2");
    expect(await whileDown.json()).toMatchObject({ error: { message: expect.stringMatching(/Redis/) } });
    expect(Date.now() - startedAt).toBeLessThan(ENQUEUE_TIMEOUT_MS * 5);

    redis = await startRedis(appendFsync);
    worker = await startWorker(defaultConsumers());

    const stored = await waitFor(
      () => countStoredSpans(pipeline.projectId, acknowledged),
      (counts) => counts.distinct >= acknowledged.length * 3,
      30_000,
    );
    expect(stored).toEqual({ rows: 60, distinct: 60 });

    // After recovery the receiver acknowledges again and the new request is stored too.
    const spansAfter = createTraceSpans(3);
    expect((await post(spansAfter)).status).toBe(200);
    const traceAfter = spansAfter[0]?.spanContext().traceId ?? "";
    await waitFor(
      () => countStoredSpans(pipeline.projectId, [traceAfter]),
      (counts) => counts.rows === 3,
    );
  }, 90_000);
});

describe("Redis refusing writes", () => {
  it("answers 503, which exporters retry, while Redis is out of memory, and 200 once it takes writes again", async () => {
    const redisCli = (...args: string[]) => promisify(execFile)("redis-cli", ["-p", String(redisPort), ...args]);
    await redisCli("config", "set", "maxmemory-policy", "noeviction");
    await redisCli("config", "set", "maxmemory", "1");
    try {
      const refused = await post(createTraceSpans(3));
      // Redis answers at once with an OOM error: a 500 here would make exporters drop the batch.
      expect(refused.status).toBe(503);
      expect(refused.headers.get("retry-after")).toBe("2");
      const cannotTake = "The ingest queue (Redis) cannot take the request right now: retry after the delay";
      expect(await refused.json()).toEqual({
        code: 14, // UNAVAILABLE
        message: cannotTake,
        error: { code: "UNAVAILABLE", message: cannotTake },
      });
    } finally {
      await redisCli("config", "set", "maxmemory", "0");
    }
    expect((await post(createTraceSpans(3))).status).toBe(200);
  });
});
