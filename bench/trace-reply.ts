/**
 * What `GET /api/public/v1/traces/{traceId}` holds while it answers one long trace: the
 * reply built in memory (the trace's spans as objects, then `Response.json`'s text, as up
 * to the twenty-third session), the reply streamed span by span from one query
 * (`streamTraceSpans` → `streamedJsonArray`, as up to the thirty-first session), and the
 * reply streamed from the embedded engine's rows read in pages (as the route does now).
 * Each way runs in a process of its own, reading the whole reply as a client would, and
 * reports its peak RSS and JS heap (sampled every 5 ms, by a timer and between the reply's
 * chunks, since rows already in memory are read without a timer firing) above what the process held
 * before (after one unmeasured reply), its RSS then and at the peak, and its time.
 *
 * The trace is generated in the embedded engine: `BENCH_TRACE_SPANS` generations (2,000)
 * with `BENCH_TRACE_OUTPUT_CHARS` characters of output each (30,000), ~60 MB of payload,
 * as an agent's long run can be. No services needed; about a minute.
 */
import { fork } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { streamedJsonArray } from "../apps/web/src/server/public-api/streamed-json.js";
import {
  closeClickHouse,
  getTrace,
  initClickHouse,
  listScoresOfTrace,
  runClickHouseMigrations,
  streamTraceSpans,
} from "../packages/clickhouse/src/index.js";
import { describeMachine, envNumber } from "./explorer-shared.js";
import { round } from "./stats.js";

const SPANS = envNumber("BENCH_TRACE_SPANS", 2000);
const OUTPUT_CHARS = envNumber("BENCH_TRACE_OUTPUT_CHARS", 30_000);
const PROJECT = "bench-trace-reply";
const TRACE_ID = "7a11".padEnd(32, "0");
const WAYS = ["buffered", "streamed-one-query", "streamed-paged"] as const;
type TWay = (typeof WAYS)[number];

async function seed(dataDir: string): Promise<void> {
  const client = await initClickHouse({ mode: "embedded", path: dataDir, database: "spanlens" });
  await runClickHouseMigrations(client, { database: "spanlens" });
  await client.command({
    query: `INSERT INTO spans (project_id, trace_id, span_id, parent_span_id, start_time, end_time, name, kind, model,
              input, output, output_messages)
            SELECT {project:String}, {trace:String}, substring(lower(hex(MD5(toString(number)))), 1, 16), '',
              fromUnixTimestamp64Milli(toInt64(1796600000000 + number * 10), 'UTC') AS start, start, concat('step ', toString(number)),
              'generation', 'gpt-4o', concat('question ', toString(number)),
              concat(toString(number), ' ', randomPrintableASCII({chars:UInt32})),
              concat('[{"role":"assistant","content":"', toString(number), '"}]')
            FROM numbers({spans:UInt32})`,
    query_params: { project: PROJECT, trace: TRACE_ID, spans: SPANS, chars: OUTPUT_CHARS },
  });
  await closeClickHouse();
}

/** Reads the reply as a client would, chunk by chunk, and returns its size; `onChunk` runs after each chunk. */
async function readAll(response: Response, onChunk: () => void = () => undefined): Promise<number> {
  let bytes = 0;
  for await (const chunk of response.body ?? []) {
    bytes += chunk.byteLength;
    onChunk();
  }
  return bytes;
}

async function reply(way: TWay): Promise<Response> {
  const client = await initClickHouse();
  if (way === "buffered") {
    const trace = await getTrace(client, PROJECT, TRACE_ID);
    return Response.json({ traceId: TRACE_ID, ...trace });
  }
  // Paged is what the embedded engine gets by default; one query is what a server gets.
  const spans = streamTraceSpans(client, PROJECT, TRACE_ID, way === "streamed-one-query" ? { pageChars: null } : {});
  const scores = await listScoresOfTrace(client, PROJECT, TRACE_ID);
  return streamedJsonArray(spans, `{"traceId":"${TRACE_ID}","spans":[`, `],"scores":${JSON.stringify(scores)}}`);
}

async function measure(way: TWay, dataDir: string): Promise<Record<string, number | string>> {
  await initClickHouse({ mode: "embedded", path: dataDir, database: "spanlens" });
  // One unmeasured reply warms the engine and the code.
  await readAll(await reply(way));
  globalThis.gc?.();
  const base = process.memoryUsage();
  let peakRss = base.rss;
  let peakHeap = base.heapUsed;
  let sampledAt = performance.now();
  const sample = () => {
    sampledAt = performance.now();
    const now = process.memoryUsage();
    peakRss = Math.max(peakRss, now.rss);
    peakHeap = Math.max(peakHeap, now.heapUsed);
  };
  // The timer samples while the engine runs a query on its thread. Rows already in memory
  // are read in microtasks, where no timer fires, so the reading loop samples too.
  const sampler = setInterval(sample, 5);
  const sampleWhileReading = () => {
    if (performance.now() - sampledAt >= 5) sample();
  };
  const started = performance.now();
  const bytes = await readAll(await reply(way), sampleWhileReading);
  sample();
  const ms = performance.now() - started;
  clearInterval(sampler);
  await closeClickHouse();
  const mib = (value: number) => round(value / 2 ** 20);
  return {
    way,
    replyMiB: mib(bytes),
    ms: round(ms),
    baseRssMiB: mib(base.rss),
    peakRssMiB: mib(peakRss),
    peakRssAboveBaseMiB: mib(peakRss - base.rss),
    peakHeapAboveBaseMiB: mib(peakHeap - base.heapUsed),
  };
}

const child = process.argv[2] as TWay | undefined;
if (child) {
  const result = await measure(child, process.argv[3] ?? "");
  process.send?.(result);
} else {
  const dataDir = await mkdtemp(path.join(tmpdir(), "spanlens-trace-reply-"));
  try {
    await seed(dataDir);
    const results = [];
    for (const way of [...WAYS, ...WAYS]) {
      const worker = fork(fileURLToPath(import.meta.url), [way, dataDir], {
        execArgv: ["--expose-gc", "--conditions=@spanlens/source", "--import", "tsx"],
      });
      results.push(await new Promise((resolve, reject) => worker.once("message", resolve).once("error", reject)));
      await new Promise((resolve) => worker.once("exit", resolve));
      process.stderr.write(`${JSON.stringify(results.at(-1))}\n`);
    }
    console.log(
      JSON.stringify({ machine: describeMachine(), spans: SPANS, outputChars: OUTPUT_CHARS, results }, null, 2),
    );
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}
