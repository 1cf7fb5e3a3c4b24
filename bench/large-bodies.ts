/**
 * What a large export sent uncompressed (every OTLP/gRPC message, which grpc-js inflates, and
 * OTLP/HTTP without Content-Encoding) costs while it waits in Redis, as sent against compressed
 * with zstd level 1 as the receiver now keeps it (`summarizeForThread`, apps/ingest): the
 * receiver's compression, the body's SET on its own connection, how long a small command on
 * another connection waits meanwhile (Redis runs one command at a time), and the worker's
 * GET and inflation. The export is the ingest benchmark's own spans (prose), many requests'
 * resource spans in one message. Needs Redis (REDIS_URL; the run uses and empties database 5
 * unless told otherwise), nothing else.
 *
 *   REDIS_URL=redis://127.0.0.1:63790/5 pnpm bench:large-bodies
 *   (BENCH_LARGE_BODY_REQUESTS=180, ~5 MB; BENCH_LARGE_BODY_ROUNDS=10; BENCH_OUTPUT=file.json)
 */
import { zstdDecompressSync } from "node:zlib";
import { zstdIfSmaller } from "../apps/ingest/src/export-summary.js";
import { closeRedis, getBulkRedis, getRedis } from "../packages/queue/src/index.js";
import { uniqueBodies } from "./ingest-bodies.js";
import { emitResult, round } from "./stats.js";

const REQUESTS = Number(process.env.BENCH_LARGE_BODY_REQUESTS ?? 180);
const ROUNDS = Number(process.env.BENCH_LARGE_BODY_ROUNDS ?? 10);

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
};
const cpuMs = (start: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
};

// Protobuf messages concatenate: the requests' resource spans become one export's.
const body = Buffer.concat(uniqueBodies(REQUESTS));
const bulk = getBulkRedis();
const other = getRedis();

let compressMs = 0;
let compressed: Uint8Array | undefined;
for (let round = 0; round < ROUNDS; round += 1) {
  const start = process.cpuUsage();
  compressed = zstdIfSmaller(body);
  compressMs += cpuMs(start) / ROUNDS;
}
if (!compressed) throw new Error("the export did not compress");
const zstdBody = Buffer.from(compressed.buffer, compressed.byteOffset, compressed.byteLength);

/** Redis's own CPU so far (its INFO: user and system seconds of the server process), in ms. */
async function redisCpuMs(): Promise<number> {
  const info = await other.info("cpu");
  const seconds = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, "m").exec(info)?.[1] ?? 0);
  return (seconds("used_cpu_user") + seconds("used_cpu_sys")) * 1000;
}

async function measure(value: Buffer) {
  const redisAtStart = await redisCpuMs();
  const set: number[] = [];
  const waited: number[] = [];
  const get: number[] = [];
  for (let index = 0; index < ROUNDS; index += 1) {
    const key = `bench:large-body:${index}`;
    const started = performance.now();
    const setting = bulk.set(key, value, "EX", 60).then(() => set.push(performance.now() - started));
    // A small command on another connection right behind it, as another request's job would be.
    await new Promise((resolve) => setImmediate(resolve));
    const small = performance.now();
    await other.set(`bench:small:${index}`, "x", "EX", 60);
    waited.push(performance.now() - small);
    await setting;
    const reading = performance.now();
    await bulk.getBuffer(key);
    get.push(performance.now() - reading);
  }
  const redisMs = (await redisCpuMs()) - redisAtStart;
  return {
    bytes: value.length,
    redisCpuMsPerBody: round(redisMs / ROUNDS, 1),
    setMs: round(median(set), 1),
    smallCommandBehindItMs: round(median(waited), 1),
    getMs: round(median(get), 1),
  };
}

const asSent = await measure(body);
const zstd = await measure(zstdBody);
let inflateMs = 0;
for (let index = 0; index < ROUNDS; index += 1) {
  const start = process.cpuUsage();
  zstdDecompressSync(zstdBody);
  inflateMs += cpuMs(start) / ROUNDS;
}
await other.flushdb();
await closeRedis();

const summary = {
  date: new Date().toISOString(),
  requests: REQUESTS,
  rounds: ROUNDS,
  exportBytes: body.length,
  asSent,
  zstd: { ...zstd, compressCpuMs: round(compressMs, 1), inflateCpuMs: round(inflateMs, 1) },
};
await emitResult(summary);
