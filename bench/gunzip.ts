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
import { constants, PerformanceObserver } from "node:perf_hooks";
import { gunzipSync, gzipSync } from "node:zlib";
import { decompressBody } from "../packages/otlp/src/index.js";
import { uniqueBodies } from "./ingest-bodies.js";

const REQUESTS = Number(process.env.BENCH_GUNZIP_REQUESTS ?? 2000);
const ROUNDS = Number(process.env.BENCH_GUNZIP_ROUNDS ?? 3);
const PASSES = 5;

const bodies = uniqueBodies(REQUESTS).map((raw) => gzipSync(raw, { level: 1 }));

let collections = { scavenges: 0, markCompacts: 0, other: 0, ms: 0 };
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    const kind = (entry as unknown as { detail?: { kind?: number } }).detail?.kind;
    if (kind === constants.NODE_PERFORMANCE_GC_MINOR) collections.scavenges += 1;
    else if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) collections.markCompacts += 1;
    else collections.other += 1;
    collections.ms += entry.duration;
  }
}).observe({ entryTypes: ["gc"] });

async function measure(inflate: (body: Buffer) => Buffer | Promise<Buffer>) {
  // Let the previous variant's collections be reported before counting this one's.
  await new Promise((resolve) => setTimeout(resolve, 50));
  collections = { scavenges: 0, markCompacts: 0, other: 0, ms: 0 };
  const cpuAtStart = process.cpuUsage();
  let inflated = 0;
  for (let pass = 0; pass < PASSES; pass += 1) {
    for (const body of bodies) inflated += (await inflate(body)).length;
  }
  const { user, system } = process.cpuUsage(cpuAtStart);
  await new Promise((resolve) => setTimeout(resolve, 50));
  const count = bodies.length * PASSES;
  const perThousand = (value: number) => Math.round((value / count) * 1000 * 10) / 10;
  return {
    cpuMicrosPerRequest: Math.round(((user + system) / count) * 10) / 10,
    inflatedKiBPerRequest: Math.round((inflated / count / 1024) * 10) / 10,
    scavengesPer1000Requests: perThousand(collections.scavenges),
    markCompactsPer1000Requests: perThousand(collections.markCompacts),
    otherCollectionsPer1000Requests: perThousand(collections.other),
    gcMsPer1000Requests: perThousand(collections.ms),
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
