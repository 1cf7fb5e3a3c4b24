/**
 * A large export stored in slices (over 5,000 spans, as an OpenTelemetry Collector's batch
 * processor sends by default at 8,192), encoded in the all-in-one mode's encoding thread:
 * each slice reaches the thread with a copy of the body. Compares the thread finding the
 * request's decoding by its key (since the twenty-fifth session) with decompressing and
 * decoding the body again for every slice, as before. No services needed.
 *
 * Usage: `pnpm bench:sliced-encode` (BENCH_SPANS, 20,000; BENCH_ROUNDS, 5; BENCH_OUTPUT).
 */
import { availableParallelism, loadavg } from "node:os";
import { gzipSync } from "node:zlib";
import { createTraceSpans, toProtobufBody } from "../apps/all-in-one/test/otlp-payloads.js";
import { createIngestEncoder, sliceLimits } from "../apps/worker/src/index.js";
import { gzippedTracesTask } from "./ingest-bodies.js";
import { randomProse } from "./prose.js";
import { emitResult, envNumber, median, round } from "./stats.js";

const SPANS = envNumber("BENCH_SPANS", 20_000);
const ROUNDS = envNumber("BENCH_ROUNDS", 5);

/** One export of `SPANS` spans of the benchmark's small size (~400 B of prose each), gzipped. */
function buildExport(): { gzipped: Buffer; raw: Uint8Array } {
  const spans = createTraceSpans(SPANS, 250);
  for (const span of spans) (span.attributes as Record<string, unknown>)["app.padding"] = randomProse(250);
  const raw = toProtobufBody(spans);
  return { raw, gzipped: gzipSync(raw, { level: 1 }) };
}

async function main() {
  const { raw, gzipped } = buildExport();
  const limits = sliceLimits({ bytes: raw.byteLength, records: SPANS });
  const encoder = createIngestEncoder({ threads: 1 });
  const task = gzippedTracesTask(gzipped);
  /** Encodes the export slice after slice, as the processor does; wall time and this process's CPU (the thread's). */
  const encodeAll = async (key: string | undefined) => {
    const cpuAtStart = process.cpuUsage();
    const start = performance.now();
    let slices = 0;
    let rows = 0;
    for (let from: number | null = 0; from !== null; slices += 1) {
      const encoded = await encoder.encode({ ...task, from, ...limits, ...(key ? { key } : {}) });
      rows += encoded.spans?.rows ?? 0;
      from = encoded.next;
    }
    const cpu = process.cpuUsage(cpuAtStart);
    if (rows !== SPANS) throw new Error(`encoded ${rows} rows of ${SPANS}`);
    return { slices, wallMs: performance.now() - start, cpuMs: (cpu.user + cpu.system) / 1000 };
  };
  // Both ways once unmeasured, so the thread's code is optimized for each.
  await encodeAll("warm-up");
  await encodeAll(undefined);
  const byKey: Awaited<ReturnType<typeof encodeAll>>[] = [];
  const again: Awaited<ReturnType<typeof encodeAll>>[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    byKey.push(await encodeAll(`request-${round}`));
    again.push(await encodeAll(undefined));
  }
  await encoder.close();
  const summary = (runs: typeof byKey) => ({
    slices: runs[0]?.slices ?? 0,
    wallMsMedian: round(median(runs.map((run) => run.wallMs))),
    cpuMsMedian: round(median(runs.map((run) => run.cpuMs))),
    wallMs: runs.map((run) => round(run.wallMs)),
  });
  const decodedOnce = summary(byKey);
  const decodedPerSlice = summary(again);
  const result = {
    date: new Date().toISOString(),
    machine: { cpus: availableParallelism(), loadavg1: round(loadavg()[0] ?? 0, 2) },
    export: { spans: SPANS, protobufBytes: raw.byteLength, gzipBytes: gzipped.byteLength, ...limits },
    rounds: ROUNDS,
    decodedOnce,
    decodedPerSlice,
    cpuRatio: round(decodedOnce.cpuMsMedian / decodedPerSlice.cpuMsMedian, 3),
  };
  await emitResult(result);
}

await main();
