/**
 * What the worker spends per span turning a queued request into rows, step by step: the
 * benchmark's requests (real SDK exports of 10 spans in the size mix, gzipped as an
 * exporter sends them) inflated, decoded, normalized, mapped to `spans` rows and encoded, on
 * one thread as the worker process does by default. Also the whole step (`encodeIngestJob`),
 * which is what the worker's event loop runs per job, with the collector's passes during it. No services needed.
 *
 * Usage: `pnpm bench:encode` (BENCH_REQUESTS per round, 20,000; BENCH_ROUNDS, 5; BENCH_OUTPUT).
 * Its figures move with the machine's hour: compare builds by alternating runs of each.
 */
import { availableParallelism, loadavg } from "node:os";
import { gzipSync } from "node:zlib";
import { encodeIngestJob } from "../apps/worker/src/processors/encode-ingest-job.js";
import { createRowEncoder, type TSpanRow, toSpanRow } from "../packages/clickhouse/src/index.js";
import { normalizeSpanOrKeep } from "../packages/core/src/index.js";
import { decodeTraces, decompressBody } from "../packages/otlp/src/index.js";
import { recordCollections, settle, type TCollections } from "./collections.js";
import { gzippedTracesTask, SPANS_PER_REQUEST, uniqueBodies } from "./ingest-bodies.js";
import { emitResult, envNumber, median, round } from "./stats.js";

const REQUESTS = envNumber("BENCH_REQUESTS", 20_000);
const ROUNDS = envNumber("BENCH_ROUNDS", 5);
/** Distinct request bodies cycled through: two of every template of the mix. */
const BODIES = 800;

const STEPS = ["inflate", "decode", "normalize", "row", "encode"] as const;
type TStep = (typeof STEPS)[number];

function microsPerSpan(nanos: bigint): number {
  return round(Number(nanos) / 1000 / (REQUESTS * SPANS_PER_REQUEST), 2);
}

/** Every step timed on its own, request by request. */
async function stepwise(bodies: readonly Buffer[]): Promise<Record<TStep, number>> {
  const spent: Record<TStep, bigint> = { inflate: 0n, decode: 0n, normalize: 0n, row: 0n, encode: 0n };
  for (let index = 0; index < REQUESTS; index += 1) {
    let at = process.hrtime.bigint();
    const lap = (step: TStep) => {
      const now = process.hrtime.bigint();
      spent[step] += now - at;
      at = now;
    };
    const body = await decompressBody(bodies[index % bodies.length] as Buffer, "gzip");
    lap("inflate");
    const spans = decodeTraces(body, "protobuf").spans;
    lap("decode");
    const normalized = spans.map((span) => normalizeSpanOrKeep(span));
    lap("normalize");
    const rows = normalized.map((span) => toSpanRow("bench", span));
    lap("row");
    const encoder = createRowEncoder<TSpanRow>();
    for (const row of rows) encoder.add(row);
    encoder.finish();
    lap("encode");
  }
  return Object.fromEntries(STEPS.map((step) => [step, microsPerSpan(spent[step])])) as Record<TStep, number>;
}

const collections = recordCollections();

interface TWhole {
  cpuMicrosPerSpan: number;
  /** Young-generation passes (scavenges) and full collections during the pass, and their pauses. */
  minor: TCollections["minor"];
  major: TCollections["major"];
}

/** The worker's own function, request after request: CPU per span, collections included. */
async function whole(bodies: readonly Buffer[]): Promise<TWhole> {
  const from = performance.now();
  const started = process.cpuUsage();
  for (let index = 0; index < REQUESTS; index += 1) {
    await encodeIngestJob(gzippedTracesTask(bodies[index % bodies.length] as Buffer));
  }
  const used = process.cpuUsage(started);
  const to = performance.now();
  await settle();
  const { minor, major } = collections.between(from, to);
  const rounded = ({ count, ms }: TCollections["minor"]) => ({ count, ms: round(ms, 1) });
  return {
    cpuMicrosPerSpan: round((used.user + used.system) / (REQUESTS * SPANS_PER_REQUEST), 2),
    minor: rounded(minor),
    major: rounded(major),
  };
}

async function main() {
  const bodies = uniqueBodies(BODIES).map((raw) => gzipSync(raw));
  // One unmeasured pass, so every round runs optimized code.
  await whole(bodies);
  const rounds: { whole: TWhole; steps: Record<TStep, number> }[] = [];
  for (let index = 0; index < ROUNDS; index += 1) {
    rounds.push({ whole: await whole(bodies), steps: await stepwise(bodies) });
    process.stderr.write(`round ${index + 1}/${ROUNDS}: ${JSON.stringify(rounds.at(-1))}\n`);
  }
  await emitResult({
    date: new Date().toISOString(),
    machine: { cpus: availableParallelism(), node: process.version, loadavg1: round(loadavg()[0] ?? 0, 2) },
    requests: { perRound: REQUESTS, spansPerRequest: SPANS_PER_REQUEST, distinctBodies: BODIES },
    rounds: ROUNDS,
    wholeCpuMicrosPerSpanMedian: median(rounds.map((entry) => entry.whole.cpuMicrosPerSpan)),
    wholeCollectionsMedian: {
      minor: median(rounds.map((entry) => entry.whole.minor.count)),
      minorMs: median(rounds.map((entry) => entry.whole.minor.ms)),
      major: median(rounds.map((entry) => entry.whole.major.count)),
      majorMs: median(rounds.map((entry) => entry.whole.major.ms)),
    },
    stepMicrosPerSpanMedian: Object.fromEntries(
      STEPS.map((step) => [step, median(rounds.map((entry) => entry.steps[step]))]),
    ),
    perRound: rounds,
  });
}

await main();
