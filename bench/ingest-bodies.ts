/**
 * Request bodies for the ingest benchmark: real OpenTelemetry SDK protobuf exports of 10
 * spans, with the trace and span ids located once so copies can get fresh ids cheaply.
 */
import { randomBytes } from "node:crypto";
import { createTraceSpans, toProtobufBody } from "../apps/all-in-one/test/otlp-payloads.js";
import type { TEncodeTask } from "../apps/worker/src/index.js";
import { randomProse } from "./prose.js";

export const SPANS_PER_REQUEST = 10;
/** Every n-th acknowledged request is reported so its time to queryable can be measured. */
export const LAG_SAMPLE_EVERY = 25;

export interface TTemplate {
  raw: Buffer;
  traceIdOffsets: number[];
  /** One entry per span of the template: where its id occurs (own id and as a parent). */
  spanIdOffsets: number[][];
}

function offsetsOf(haystack: Buffer, needle: Buffer): number[] {
  const offsets: number[] = [];
  for (let at = haystack.indexOf(needle); at !== -1; at = haystack.indexOf(needle, at + 1)) offsets.push(at);
  return offsets;
}

/**
 * Padding of every span instead of the mix, for memory checks with large requests
 * (BENCH_SPAN_PADDING=100000 makes requests of ~1 MB); unset, the mix.
 */
const UNIFORM_PADDING = Number(process.env.BENCH_SPAN_PADDING ?? 0);

/**
 * What the padding is made of: "prose" (default) compresses like English text (bench/prose.ts);
 * "random" is random base64, which gzip shrinks only 1.33× (runs 1–13).
 */
export const PAYLOAD = process.env.BENCH_PAYLOAD === "random" ? "random" : "prose";

const noise = PAYLOAD === "random" ? randomBytes(48_000 + UNIFORM_PADDING).toString("base64") : "";
function randomText(length: number): string {
  if (PAYLOAD === "prose") return randomProse(length);
  const start = Math.floor(Math.random() * (noise.length - length));
  return noise.slice(start, start + length);
}

/**
 * One request of 10 SDK spans. The size class follows the template's index, so every 20
 * templates hold exactly the mix: 12 with ~400 B, 7 with ~3 KB and 1 with ~30 KB spans.
 */
export function buildTemplate(index: number): TTemplate {
  const slot = index % 20;
  const padding = UNIFORM_PADDING > 0 ? UNIFORM_PADDING : slot < 12 ? 250 : slot < 19 ? 2850 : 29_850;
  const spans = createTraceSpans(SPANS_PER_REQUEST, padding);
  for (const span of spans) (span.attributes as Record<string, unknown>)["app.padding"] = randomText(padding);
  const raw = Buffer.from(toProtobufBody(spans));
  const traceId = spans[0]?.spanContext().traceId ?? "";
  return {
    raw,
    traceIdOffsets: offsetsOf(raw, Buffer.from(traceId, "hex")),
    spanIdOffsets: spans.map((span) => offsetsOf(raw, Buffer.from(span.spanContext().spanId, "hex"))),
  };
}

/** A copy of the template with a new trace id and new span ids (parent links kept). */
export function withFreshIds(template: TTemplate): { raw: Buffer; traceId: string } {
  const raw = Buffer.from(template.raw);
  const traceId = randomBytes(16);
  for (const offset of template.traceIdOffsets) traceId.copy(raw, offset);
  for (const offsets of template.spanIdOffsets) {
    const spanId = randomBytes(8);
    for (const offset of offsets) spanId.copy(raw, offset);
  }
  return { raw, traceId: traceId.toString("hex") };
}

/** Raw bodies of `requests` unique requests, over up to 400 templates (the mix holds in every 20). */
export function uniqueBodies(requests: number): Buffer[] {
  const templates = Array.from({ length: Math.min(requests, 400) }, (_, index) => buildTemplate(index));
  return Array.from(
    { length: requests },
    (_, index) => withFreshIds(templates[index % templates.length] as TTemplate).raw,
  );
}

/** A queued request of the benchmark's project as the worker encodes it: an OTLP/protobuf traces export, gzipped. */
export function gzippedTracesTask(body: Uint8Array): TEncodeTask {
  return {
    projectId: "bench",
    signal: "traces",
    encoding: "protobuf",
    compression: "gzip",
    receivedAt: Date.now(),
    body,
  };
}
