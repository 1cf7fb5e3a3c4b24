/**
 * How the receiver and the worker inflate a request: `decompressBody` (one output buffer
 * sized from the gzip trailer) against zlib with a fixed 64 KiB output chunk, on the ingest
 * benchmark's own requests (the same templates, fresh ids, gzip level 1). Alternating
 * rounds in one process: CPU per request, and the garbage collections the results cause
 * when each is dropped after use, as a request's body is (V8 collects early when Buffer
 * memory outside its heap grows).
 *
 *   pnpm bench:gunzip        (BENCH_GUNZIP_REQUESTS=2000, BENCH_GUNZIP_ROUNDS=3)
 */
import { gunzipSync, gzipSync } from "node:zlib";
import { decompressBody } from "../packages/otlp/src/index.js";
import { recordCollections, settle } from "./collections.js";
import { uniqueBodies } from "./ingest-bodies.js";

const REQUESTS = Number(process.env.BENCH_GUNZIP_REQUESTS ?? 2000);
const ROUNDS = Number(process.env.BENCH_GUNZIP_ROUNDS ?? 3);
const PASSES = 5;

const bodies = uniqueBodies(REQUESTS).map((raw) => gzipSync(raw, { level: 1 }));

const collections = recordCollections();

async function measure(inflate: (body: Buffer) => Buffer | Promise<Buffer>) {
  const from = performance.now();
  const cpuAtStart = process.cpuUsage();
  let inflated = 0;
  for (let pass = 0; pass < PASSES; pass += 1) {
    for (const body of bodies) inflated += (await inflate(body)).length;
  }
  const { user, system } = process.cpuUsage(cpuAtStart);
  const to = performance.now();
  await settle();
  const { minor, major, other } = collections.between(from, to);
  const count = bodies.length * PASSES;
  const perThousand = (value: number) => Math.round((value / count) * 1000 * 10) / 10;
  return {
    cpuMicrosPerRequest: Math.round(((user + system) / count) * 10) / 10,
    inflatedKiBPerRequest: Math.round((inflated / count / 1024) * 10) / 10,
    scavengesPer1000Requests: perThousand(minor.count),
    markCompactsPer1000Requests: perThousand(major.count),
    otherCollectionsPer1000Requests: perThousand(other.count),
    gcMsPer1000Requests: perThousand(minor.ms + major.ms + other.ms),
  };
}

const gzipBytes = bodies.reduce((sum, body) => sum + body.length, 0) / bodies.length;
const rounds = [];
for (let round = 0; round < ROUNDS; round += 1) {
  rounds.push({
    fixed64KiB: await measure((body) => gunzipSync(body, { chunkSize: 64 * 1024 })),
    decompressBody: await measure((body) => decompressBody(body, "gzip", 16 * 1024 * 1024)),
  });
}
console.log(JSON.stringify({ requests: REQUESTS, meanGzipBytes: Math.round(gzipBytes), rounds }, null, 2));
