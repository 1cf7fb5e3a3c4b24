/**
 * The ingest benchmark's load generator, run as its own process (forked by bench/ingest.ts)
 * so its CPU and memory are not counted against the pipeline process.
 *
 * Request bodies are real OpenTelemetry SDK protobuf exports. A few hundred templates are
 * built once; each request copies one, writes fresh trace and span ids over the template's
 * ids (at byte offsets found once per template) and gzips it. That keeps every request
 * unique for runs of any length. Before each phase the parent asks for enough requests to
 * be built ahead ("prepare"), so sending costs no gzip; only if they run out are more
 * built while sending (counted in `builtWhileSending`).
 *
 * Requests go out on keep-alive connections through bench/raw-http.ts: the generator shares
 * the two cores with the pipeline it measures, and that client costs about half of node:http's
 * CPU per request (node:http's was a third of fetch's).
 */
import { monitorEventLoopDelay } from "node:perf_hooks";
import { gzipSync } from "node:zlib";
import { GrpcPool } from "./grpc-pool.js";
import { buildTemplate, LAG_SAMPLE_EVERY, SPANS_PER_REQUEST, type TTemplate, withFreshIds } from "./ingest-bodies.js";
import { NodeHttpPool, RawHttpError, RawHttpPool, type THttpPool } from "./raw-http.js";

/**
 * `http` (default): gzip bodies POSTed to /v1/traces. `grpc`: the same exports as
 * TraceService/Export calls (bench/grpc-pool.ts), uncompressed, to a `grpc://host:port` URL.
 */
const PROTOCOL = process.env.BENCH_PROTOCOL === "grpc" ? "grpc" : "http";

export type TLoadCommand =
  | {
      type: "closed";
      baseUrl: string;
      secretKey: string;
      concurrency: number;
      durationS: number;
      /** Stop after this many requests (0: no limit). */
      maxRequests: number;
    }
  | { type: "open"; baseUrl: string; secretKey: string; requestsPerSecond: number; durationS: number }
  /** Builds this many unique gzipped requests ahead of the next run, so sending costs no gzip. */
  | { type: "prepare"; requests: number };

/** The tick of the event-loop delay histogram kept while sending. */
const LOOP_TICK_MS = 10;
/** A value of that histogram (ns, a whole tick's interval) as ms past the tick. */
const beyondTick = (intervalNs: number) => Math.max(0, Math.round((intervalNs / 1e6 - LOOP_TICK_MS) * 100) / 100);

export type TLoadMessage =
  | { type: "ready"; templates: number; meanRawBytesPerSpan: number; meanGzipBytesPerRequest: number }
  | { type: "sample"; traceId: string; ackAt: number }
  | { type: "progress"; okRequests: number; at: number }
  | { type: "prepared"; requests: number; seconds: number; gzipMiB: number }
  | {
      type: "done";
      sentRequests: number;
      okRequests: number;
      failedByStatus: Record<string, number>;
      latenciesMs: number[];
      /** When each request was sent (epoch ms, in `latenciesMs`' order), with BENCH_SCHEDSTAT=1 only. */
      startsMs?: number[];
      startedAt: number;
      endedAt: number;
      maxRssBytes: number;
      /** CPU time this process used while sending (user + system, all threads). */
      cpuMicros: number;
      /** Requests built while sending because the prepared ones ran out (each cost a gzip). */
      builtWhileSending: number;
      /**
       * How late this process's event loop ran while sending (ms; `monitorEventLoopDelay`, 10 ms
       * resolution): a request's response waits that long to be timed, so its latency includes it.
       */
      loopDelayMs: { p50: number; p99: number; max: number };
      /** Open loop only: sends more than 10 ms behind their schedule, and the latest (ms). */
      lateSends?: { count: number; maxMs: number };
    };

const templates = Array.from({ length: Number(process.env.BENCH_TEMPLATES ?? 400) }, (_, index) =>
  buildTemplate(index),
);
let nextTemplate = 0;

/** One request as sent: gzipped for OTLP/HTTP, as is for gRPC. */
function buildBody(): { bytes: Buffer; traceId: string } {
  const { raw, traceId } = withFreshIds(templates[nextTemplate++ % templates.length] as TTemplate);
  return { bytes: PROTOCOL === "grpc" ? raw : gzipSync(raw, { level: 1 }), traceId };
}

let prepared: { bytes: Buffer; traceId: string }[] = [];
let builtWhileSending = 0;

/**
 * Prepared bodies are copied into shared slabs. `gzipSync` hands back each body as a view of a
 * 16 KiB output chunk (or a concatenation of several), so a ~12 KB body kept its whole chunk
 * alive: 232,000 requests, as the sustained phase prepares, held 5.9 GB of RSS, against 2.8 GB
 * packed (thirtieth session). Written by hand: an append-only arena of a few lines.
 */
const SLAB_BYTES = 64 * 1024 * 1024;
let slab = Buffer.alloc(0);
let slabUsed = 0;

function packed(bytes: Buffer): Buffer {
  if (slabUsed + bytes.byteLength > slab.byteLength) {
    slab = Buffer.allocUnsafeSlow(Math.max(SLAB_BYTES, bytes.byteLength));
    slabUsed = 0;
  }
  const view = slab.subarray(slabUsed, slabUsed + bytes.byteLength);
  bytes.copy(view);
  slabUsed += bytes.byteLength;
  return view;
}

function nextBody(): { bytes: Buffer; traceId: string } {
  const body = prepared.pop();
  if (body) return body;
  builtWhileSending += 1;
  return buildBody();
}

function prepare(requests: number): void {
  const start = performance.now();
  prepared = Array.from({ length: requests }, () => {
    const body = buildBody();
    return { ...body, bytes: packed(body.bytes) };
  });
  const gzipBytes = prepared.reduce((sum, body) => sum + body.bytes.byteLength, 0);
  send({
    type: "prepared",
    requests,
    seconds: Math.round((performance.now() - start) / 100) / 10,
    gzipMiB: Math.round(gzipBytes / 1024 / 1024),
  });
}

const send = (message: TLoadMessage) => process.send?.(message);
/** Each request's send time, for bench/schedstat.ts to set the processes' scheduling against. */
const RECORD_STARTS = process.env.BENCH_SCHEDSTAT === "1";

async function run(command: Exclude<TLoadCommand, { type: "prepare" }>): Promise<void> {
  const url = new URL(`${command.baseUrl}/v1/traces`);
  const connections = command.type === "closed" ? command.concurrency : 256;
  const pool: THttpPool =
    PROTOCOL === "grpc"
      ? new GrpcPool(url.host, `Bearer ${command.secretKey}`, Math.min(connections, 32))
      : new (process.env.BENCH_LOAD_CLIENT === "node-http" ? NodeHttpPool : RawHttpPool)(
          url,
          {
            "content-type": "application/x-protobuf",
            "content-encoding": "gzip",
            authorization: `Bearer ${command.secretKey}`,
          },
          connections,
        );
  const failedByStatus: Record<string, number> = {};
  const latenciesMs: number[] = [];
  const startsMs: number[] = [];
  let sentRequests = 0;
  let okRequests = 0;
  let maxRssBytes = process.memoryUsage().rss;
  const cpuAtStart = process.cpuUsage();
  const loopDelay = monitorEventLoopDelay({ resolution: LOOP_TICK_MS });
  loopDelay.enable();
  let lateSends: { count: number; maxMs: number } | undefined;
  const progress = setInterval(() => {
    maxRssBytes = Math.max(maxRssBytes, process.memoryUsage().rss);
    send({ type: "progress", okRequests, at: Date.now() });
  }, 1000);

  const post = async () => {
    const body = nextBody();
    sentRequests += 1;
    const start = performance.now();
    let status = "network-error";
    try {
      status = String(await pool.post(body.bytes));
    } catch (error) {
      // Counted below under the error's code (ECONNRESET, …) and whether the connection was
      // a kept-alive one, so a failure can be told apart.
      if (!(error instanceof RawHttpError)) throw error;
      status = `network-error ${error.code}${error.reusedSocket ? " (reused connection)" : " (new connection)"}`;
    }
    latenciesMs.push(performance.now() - start);
    if (RECORD_STARTS) startsMs.push(performance.timeOrigin + start);
    if (status === "200") {
      okRequests += 1;
      if (okRequests % LAG_SAMPLE_EVERY === 0) send({ type: "sample", traceId: body.traceId, ackAt: Date.now() });
    } else {
      failedByStatus[status] = (failedByStatus[status] ?? 0) + 1;
    }
  };

  builtWhileSending = 0;
  const startedAt = Date.now();
  const deadline = startedAt + command.durationS * 1000;
  if (command.type === "closed") {
    const limit = command.maxRequests > 0 ? command.maxRequests : Number.POSITIVE_INFINITY;
    await Promise.all(
      Array.from({ length: command.concurrency }, async () => {
        while (Date.now() < deadline && sentRequests < limit) await post();
      }),
    );
  } else {
    const total = Math.floor(command.requestsPerSecond * command.durationS);
    const inFlight = new Set<Promise<void>>();
    const start = performance.now();
    lateSends = { count: 0, maxMs: 0 };
    for (let index = 0; index < total; index += 1) {
      const wait = start + (index * 1000) / command.requestsPerSecond - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      else if (wait < -10) {
        lateSends.count += 1;
        lateSends.maxMs = Math.max(lateSends.maxMs, -wait);
      }
      const request = post().finally(() => inFlight.delete(request));
      inFlight.add(request);
    }
    await Promise.all(inFlight);
  }
  const endedAt = Date.now();
  loopDelay.disable();
  clearInterval(progress);
  pool.destroy();
  send({ type: "progress", okRequests, at: endedAt });
  send({
    type: "done",
    sentRequests,
    okRequests,
    failedByStatus,
    latenciesMs,
    ...(RECORD_STARTS ? { startsMs } : {}),
    startedAt,
    endedAt,
    maxRssBytes: Math.max(maxRssBytes, process.memoryUsage().rss),
    cpuMicros: (({ user, system }) => user + system)(process.cpuUsage(cpuAtStart)),
    builtWhileSending,
    // The histogram holds the whole interval between ticks: the delay is what passes the tick.
    loopDelayMs: {
      p50: beyondTick(loopDelay.percentile(50)),
      p99: beyondTick(loopDelay.percentile(99)),
      max: beyondTick(loopDelay.max),
    },
    ...(lateSends ? { lateSends: { count: lateSends.count, maxMs: Math.round(lateSends.maxMs) } } : {}),
  });
  // Unsent prepared requests are not reused: the next phase prepares its own, in new slabs.
  prepared = [];
  slab = Buffer.alloc(0);
  slabUsed = 0;
}

const rawBytes = templates.reduce((sum, template) => sum + template.raw.byteLength, 0);
const gzipBytes = templates.reduce((sum, template) => sum + gzipSync(template.raw, { level: 1 }).byteLength, 0);
send({
  type: "ready",
  templates: templates.length,
  meanRawBytesPerSpan: Math.round(rawBytes / templates.length / SPANS_PER_REQUEST),
  meanGzipBytesPerRequest: Math.round(gzipBytes / templates.length),
});

process.on("message", (command: TLoadCommand) => {
  if (command.type === "prepare") {
    prepare(command.requests);
    return;
  }
  run(command).catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
});
process.on("disconnect", () => process.exit(0));
