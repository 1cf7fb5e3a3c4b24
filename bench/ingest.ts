/**
 * Ingest benchmark: (a) ClickHouse insert ceiling with the worker's row mapping and batch size,
 * (b) end-to-end OTLP → BullMQ → worker → ClickHouse throughput at fixed concurrency,
 * (c) ingest latency at half the end-to-end rate. Everything runs in this one process.
 *
 * Run from the repository root: `pnpm bench:ingest` (needs DATABASE_URL and REDIS_URL).
 */
import { randomBytes, randomUUID } from "node:crypto";
import { gunzipSync, gzipSync } from "node:zlib";
import { createTraceSpans, toProtobufBody } from "../apps/all-in-one/test/otlp-payloads.js";
import { getClickHouse, startPipeline, type TPipeline } from "../apps/all-in-one/test/pipeline-harness.js";
import { type TSpanRow, toSpanRow } from "../packages/clickhouse/src/index.js";
import { normalizeSpan } from "../packages/core/src/index.js";
import { decodeTraces } from "../packages/otlp/src/index.js";

const envNumber = (name: string, fallback: number): number => {
  const value = Number(process.env[name]);
  return Number.isFinite(value) && value > 0 ? value : fallback;
};

const SPANS_PER_REQUEST = 10;
const DURATION_S = envNumber("BENCH_DURATION_S", 30);
const HALF_LOAD_DURATION_S = envNumber("BENCH_HALF_LOAD_DURATION_S", 20);
const CONCURRENCY = envNumber("BENCH_CONCURRENCY", 32);
const POOL_REQUESTS = envNumber("BENCH_POOL_REQUESTS", 8000);
const HALF_LOAD_POOL_REQUESTS = envNumber("BENCH_HALF_LOAD_POOL_REQUESTS", 2000);
const CEILING_REQUESTS = envNumber("BENCH_CEILING_REQUESTS", 3000);
const CEILING_ROUNDS = envNumber("BENCH_CEILING_ROUNDS", 4);
const BATCH_ROWS = envNumber("WORKER_BATCH_MAX_ROWS", 20_000);
const LAG_SAMPLE_EVERY = 25;
const QUERYABLE_TIMEOUT_MS = 120_000;

interface TBody {
  gz: Buffer;
  rawBytes: number;
  traceId: string;
}

interface TLoadResult {
  sentRequests: number;
  okRequests: number;
  failedByStatus: Record<string, number>;
  latenciesMs: number[];
  startedAt: number;
  endedAt: number;
  lagsMs: number[];
  lagSamplesMissing: number;
  allQueryableAt: number;
  maxRssBytes: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const round = (value: number, digits = 1) => Number(value.toFixed(digits));
const mib = (bytes: number) => round(bytes / 1024 / 1024);

function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

const latencySummary = (values: number[]) => ({
  p50: round(percentile(values, 50)),
  p90: round(percentile(values, 90)),
  p99: round(percentile(values, 99)),
  max: round(percentile(values, 100)),
});

// Random base64 text: compresses like real text rather than like a repeated character.
const noise = randomBytes(48_000).toString("base64");
function randomText(length: number): string {
  const start = Math.floor(Math.random() * (noise.length - length));
  return noise.slice(start, start + length);
}

/** One request of 10 SDK spans; size class per request: 60% ~400 B, 35% ~3 KB, 5% ~30 KB per span. */
function buildBody(): TBody {
  const draw = Math.random();
  const padding = draw < 0.6 ? 250 : draw < 0.95 ? 2850 : 29_850;
  const spans = createTraceSpans(SPANS_PER_REQUEST, padding);
  for (const span of spans) {
    const attributes = span.attributes as Record<string, unknown>;
    attributes["app.padding"] = randomText(padding);
  }
  const raw = toProtobufBody(spans);
  const traceId = spans[0]?.spanContext().traceId;
  if (!traceId) throw new Error("no spans built");
  return { gz: gzipSync(raw), rawBytes: raw.byteLength, traceId };
}

function createRssSampler() {
  let max = process.memoryUsage().rss;
  const timer = setInterval(() => {
    max = Math.max(max, process.memoryUsage().rss);
  }, 1000);
  return {
    stop: () => {
      clearInterval(timer);
      return Math.max(max, process.memoryUsage().rss);
    },
  };
}

async function countSpans(projectId: string): Promise<number> {
  const result = await getClickHouse().query({
    query: "SELECT count() AS c FROM spans WHERE project_id = {projectId:String}",
    query_params: { projectId },
    format: "JSONEachRow",
  });
  const rows = await result.json<{ c: string | number }>();
  return Number(rows[0]?.c ?? 0);
}

async function findTraces(projectId: string, traceIds: string[]): Promise<Set<string>> {
  const result = await getClickHouse().query({
    query:
      "SELECT DISTINCT trace_id FROM spans WHERE project_id = {projectId:String} AND trace_id IN {traceIds:Array(String)}",
    query_params: { projectId, traceIds },
    format: "JSONEachRow",
  });
  return new Set((await result.json<{ trace_id: string }>()).map((row) => row.trace_id));
}

/** (a) Rows straight into ClickHouse, same mapping, client and batch size as the worker. */
async function measureCeiling(pool: TBody[]) {
  const bodies = pool.slice(-CEILING_REQUESTS);
  const mapStart = performance.now();
  const template: TSpanRow[] = [];
  for (const body of bodies) {
    for (const span of decodeTraces(gunzipSync(body.gz), "protobuf").spans) {
      template.push(toSpanRow("ceiling", normalizeSpan(span)));
    }
  }
  const mapMs = performance.now() - mapStart;
  let insertMs = 0;
  let rows = 0;
  for (let index = 0; index < CEILING_ROUNDS; index += 1) {
    const projectId = `ceiling-${randomUUID()}`;
    const values = template.map((row) => ({ ...row, project_id: projectId }));
    for (let offset = 0; offset < values.length; offset += BATCH_ROWS) {
      const batch = values.slice(offset, offset + BATCH_ROWS);
      const start = performance.now();
      await getClickHouse().insert({ table: "spans", values: batch, format: "JSONEachRow" });
      insertMs += performance.now() - start;
      rows += batch.length;
    }
  }
  return {
    rows,
    batchRows: BATCH_ROWS,
    insertSeconds: round(insertMs / 1000, 2),
    insertRowsPerSecond: Math.round(rows / (insertMs / 1000)),
    decodeNormalizeMapRowsPerSecond: Math.round(template.length / (mapMs / 1000)),
  };
}

interface TSender {
  send(body: TBody): Promise<void>;
  result: Pick<TLoadResult, "sentRequests" | "okRequests" | "failedByStatus" | "latenciesMs">;
  acked: { traceId: string; ackAt: number }[];
}

function createSender(pipeline: { baseUrl: string; secretKey: string }): TSender {
  const url = `${pipeline.baseUrl}/v1/traces`;
  const headers = {
    "content-type": "application/x-protobuf",
    "content-encoding": "gzip",
    authorization: `Bearer ${pipeline.secretKey}`,
  };
  const result = { sentRequests: 0, okRequests: 0, failedByStatus: {} as Record<string, number>, latenciesMs: [] };
  const latencies: number[] = result.latenciesMs;
  const acked: TSender["acked"] = [];
  return {
    result,
    acked,
    async send(body) {
      result.sentRequests += 1;
      const start = performance.now();
      let status = "network-error";
      try {
        const response = await fetch(url, { method: "POST", headers, body: body.gz });
        await response.arrayBuffer();
        status = String(response.status);
      } catch {
        // counted below
      }
      latencies.push(performance.now() - start);
      if (status === "200") {
        result.okRequests += 1;
        if (result.okRequests % LAG_SAMPLE_EVERY === 0) acked.push({ traceId: body.traceId, ackAt: Date.now() });
      } else {
        result.failedByStatus[status] = (result.failedByStatus[status] ?? 0) + 1;
      }
    },
  };
}

/** Polls sampled trace ids while load runs and afterwards; returns ingest-to-queryable lags. */
function createLagTracker(projectId: string, acked: TSender["acked"]) {
  const lags: number[] = [];
  let checked = 0;
  let stopped = false;
  const pending = new Map<string, number>();
  const loop = (async () => {
    while (!stopped) {
      for (; checked < acked.length; checked += 1) {
        const sample = acked[checked];
        if (sample) pending.set(sample.traceId, sample.ackAt);
      }
      if (pending.size > 0) {
        const found = await findTraces(projectId, [...pending.keys()]);
        const now = Date.now();
        for (const traceId of found) {
          const ackAt = pending.get(traceId);
          if (ackAt !== undefined) lags.push(now - ackAt);
          pending.delete(traceId);
        }
      }
      await sleep(250);
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      return { lags, missing: pending.size };
    },
  };
}

async function waitAllQueryable(projectId: string, expectedSpans: number): Promise<number> {
  const deadline = Date.now() + QUERYABLE_TIMEOUT_MS;
  for (;;) {
    const count = await countSpans(projectId);
    if (count >= expectedSpans) return Date.now();
    if (Date.now() > deadline) throw new Error(`only ${count}/${expectedSpans} spans queryable after timeout`);
    await sleep(100);
  }
}

async function runLoad(
  pipeline: { baseUrl: string; secretKey: string; projectId: string },
  pool: TBody[],
  drive: (sender: TSender, next: () => TBody | undefined) => Promise<void>,
): Promise<TLoadResult> {
  const sender = createSender(pipeline);
  const tracker = createLagTracker(pipeline.projectId, sender.acked);
  const rss = createRssSampler();
  let cursor = 0;
  const startedAt = Date.now();
  await drive(sender, () => pool[cursor++]);
  const endedAt = Date.now();
  const allQueryableAt = await waitAllQueryable(pipeline.projectId, sender.result.okRequests * SPANS_PER_REQUEST);
  // Give the tracker one more pass now that everything is stored.
  await sleep(300);
  const { lags, missing } = await tracker.stop();
  pool.splice(0, cursor);
  return {
    ...sender.result,
    startedAt,
    endedAt,
    lagsMs: lags,
    lagSamplesMissing: missing,
    allQueryableAt,
    maxRssBytes: rss.stop(),
  };
}

/** (b) Closed loop: `CONCURRENCY` senders, each posting the next body as soon as the last is acknowledged. */
const closedLoop = (durationS: number) => async (sender: TSender, next: () => TBody | undefined) => {
  const deadline = Date.now() + durationS * 1000;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (let body = next(); body && Date.now() < deadline; body = next()) await sender.send(body);
    }),
  );
};

/** (c) Open loop: requests start on a fixed schedule, whether or not earlier ones finished. */
const openLoop =
  (requestsPerSecond: number, durationS: number) => async (sender: TSender, next: () => TBody | undefined) => {
    const start = performance.now();
    const total = Math.floor(requestsPerSecond * durationS);
    const inFlight = new Set<Promise<void>>();
    for (let index = 0; index < total; index += 1) {
      const body = next();
      if (!body) break;
      const wait = start + (index * 1000) / requestsPerSecond - performance.now();
      if (wait > 0) await sleep(wait);
      const request = sender.send(body).finally(() => inFlight.delete(request));
      inFlight.add(request);
    }
    await Promise.all(inFlight);
  };

function summarize(pipeline: TPipeline, result: TLoadResult) {
  const ackedSpans = result.okRequests * SPANS_PER_REQUEST;
  const sendSeconds = (result.endedAt - result.startedAt) / 1000;
  const toQueryableSeconds = (result.allQueryableAt - result.startedAt) / 1000;
  return {
    projectId: pipeline.projectId,
    sendSeconds: round(sendSeconds, 2),
    requests: result.sentRequests,
    okRequests: result.okRequests,
    failedByStatus: result.failedByStatus,
    ackedSpans,
    ackedSpansPerSecond: Math.round(ackedSpans / sendSeconds),
    endToEndSpansPerSecond: Math.round(ackedSpans / toQueryableSeconds),
    drainAfterSendEndMs: result.allQueryableAt - result.endedAt,
    ingestLatencyMs: latencySummary(result.latenciesMs),
    ingestToQueryableLagMs: {
      samples: result.lagsMs.length,
      missing: result.lagSamplesMissing,
      pollIntervalMs: 250,
      ...latencySummary(result.lagsMs),
    },
    maxRssMiB: mib(result.maxRssBytes),
  };
}

async function main() {
  for (const name of ["DATABASE_URL", "REDIS_URL"]) {
    if (!process.env[name]) throw new Error(`${name} must be set (see docs/benchmarks.md)`);
  }
  process.env.LOG_LEVEL ??= "warn";
  // The harness defaults to 50 ms for tests; benchmark the production default.
  process.env.WORKER_BATCH_MAX_WAIT_MS ??= "250";

  const rssAtStart = process.memoryUsage().rss;
  const poolStart = performance.now();
  const pool = Array.from({ length: POOL_REQUESTS }, buildBody);
  const halfLoadPool = Array.from({ length: HALF_LOAD_POOL_REQUESTS }, buildBody);
  const poolBytes = pool.reduce((sum, body) => sum + body.gz.byteLength, 0);
  const rawBytes = pool.reduce((sum, body) => sum + body.rawBytes, 0);
  const poolInfo = {
    requests: pool.length,
    halfLoadRequests: halfLoadPool.length,
    spansPerRequest: SPANS_PER_REQUEST,
    buildSeconds: round((performance.now() - poolStart) / 1000, 1),
    gzipMiB: mib(poolBytes),
    meanGzipBytesPerRequest: Math.round(poolBytes / pool.length),
    meanRawBytesPerSpan: Math.round(rawBytes / pool.length / SPANS_PER_REQUEST),
  };
  console.error(`pool built: ${JSON.stringify(poolInfo)}`);

  const pipeline = await startPipeline();
  try {
    const rssAfterStart = process.memoryUsage().rss;
    const ceiling = await measureCeiling(pool);
    console.error(`ceiling: ${JSON.stringify(ceiling)}`);

    const full = summarize(pipeline, await runLoad(pipeline, pool, closedLoop(DURATION_S)));
    console.error(`end-to-end: ${JSON.stringify(full)}`);

    const half = await pipeline.createProject();
    const halfRate = full.endToEndSpansPerSecond / 2 / SPANS_PER_REQUEST;
    const halfTarget = { ...pipeline, ...half };
    const halfResult = summarize(
      halfTarget,
      await runLoad(halfTarget, halfLoadPool, openLoop(halfRate, HALF_LOAD_DURATION_S)),
    );

    const summary = {
      machine: { cpus: (await import("node:os")).availableParallelism(), node: process.version },
      config: {
        durationS: DURATION_S,
        halfLoadDurationS: HALF_LOAD_DURATION_S,
        concurrency: CONCURRENCY,
        workerBatchMaxRows: BATCH_ROWS,
        workerBatchMaxWaitMs: Number(process.env.WORKER_BATCH_MAX_WAIT_MS),
      },
      pool: poolInfo,
      rssMiB: { atStart: mib(rssAtStart), afterPoolAndPipelineStart: mib(rssAfterStart) },
      ceiling,
      endToEnd: full,
      halfLoad: { targetSpansPerSecond: Math.round(halfRate * SPANS_PER_REQUEST), ...halfResult },
      ratioEndToEndToCeiling: round(full.endToEndSpansPerSecond / ceiling.insertRowsPerSecond, 3),
    };
    console.log(JSON.stringify(summary, null, 2));
  } finally {
    await Promise.race([pipeline.stop(), sleep(15_000)]);
  }
}

await main();
// Embedded ClickHouse and client sockets can keep the event loop alive after stop().
process.exit(0);
