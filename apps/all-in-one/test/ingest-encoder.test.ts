import { gzipSync } from "node:zlib";
import { createIngestEncoder, EncodeTimeoutError, type TEncodedIngestJob, type TEncodeTask } from "@spanlens/worker";
import { afterAll, describe, expect, it } from "vitest";
import {
  createEvaluationLogBody,
  createMessagesSpan,
  createTraceSpans,
  toJsonBody,
  toProtobufBody,
} from "./otlp-payloads.js";

const threaded = createIngestEncoder({ threads: 1 });
const inline = createIngestEncoder({ threads: 0 });
afterAll(() => Promise.all([threaded.close(), inline.close()]));

/** Row text as a Buffer: a thread hands its bytes back as a plain Uint8Array (structured clone). */
function withBufferText(encoded: TEncodedIngestJob): TEncodedIngestJob {
  const spans = encoded.spans && { ...encoded.spans, text: Buffer.from(encoded.spans.text) };
  const scores = encoded.scores && { ...encoded.scores, text: Buffer.from(encoded.scores.text) };
  return { ...encoded, spans, scores };
}

function job(body: Uint8Array, overrides: Partial<TEncodeTask> = {}): TEncodeTask {
  return {
    projectId: "project-1",
    signal: "traces",
    encoding: "protobuf",
    body,
    compression: "identity",
    receivedAt: Date.UTC(2026, 10, 24),
    ...overrides,
  };
}

describe("ingest encoder", () => {
  it("encodes a request in slices that together are the whole, in the thread as inline", async () => {
    const raw = toProtobufBody(createTraceSpans(25));
    const whole = withBufferText(await inline.encode(job(raw)));
    expect(whole.next).toBeNull();
    for (const encoder of [inline, threaded]) {
      const slices: TEncodedIngestJob[] = [];
      for (let from: number | null = 0; from !== null; from = slices.at(-1)?.next ?? null)
        slices.push(withBufferText(await encoder.encode(job(raw, { from, maxRows: 10 }))));
      expect(slices.map((slice) => [slice.spans?.rows, slice.next])).toEqual([
        [10, 10],
        [10, 20],
        [5, null],
      ]);
      expect(Buffer.concat(slices.map((slice) => slice.spans?.text ?? Buffer.alloc(0)))).toEqual(whole.spans?.text);
      expect(slices.every((slice) => slice.bytes === raw.byteLength)).toBe(true);
    }
    // A byte bound ends a slice once reached, always after at least one span.
    const bySize = await inline.encode(job(raw, { from: 3, maxBytes: 1 }));
    expect([bySize.spans?.rows, bySize.next]).toEqual([1, 4]);
  });

  it("decodes a request once for all its slices on the event loop, and lets the decoding go after the last", async () => {
    const body = Buffer.from(toProtobufBody(createTraceSpans(25)));
    const whole = withBufferText(await inline.encode(job(new Uint8Array(body))));
    const first = await inline.encode(job(body, { from: 0, maxRows: 20 }));
    // The bytes are gone, yet the rest comes from the first slice's decoding.
    body.fill(0xff);
    const rest = await inline.encode(job(body, { from: first.next ?? -1, maxRows: 20 }));
    expect([first.spans?.rows, rest.spans?.rows, rest.next]).toEqual([20, 5, null]);
    expect(Buffer.concat([Buffer.from(first.spans?.text ?? []), Buffer.from(rest.spans?.text ?? [])])).toEqual(
      whole.spans?.text,
    );
    // Past the last slice the body is decoded afresh.
    await expect(inline.encode(job(body, { from: 0, maxRows: 20 }))).rejects.toThrow(/could not be decoded|invalid/i);
  });

  it("decodes a request once for all its slices in an encoding thread too, found by the request's key", async () => {
    const raw = toProtobufBody(createTraceSpans(25));
    const whole = withBufferText(await inline.encode(job(raw)));
    const gzipped = gzipSync(raw);
    const first = await threaded.encode(job(gzipped, { compression: "gzip", from: 0, maxRows: 20, key: "request-1" }));
    // Each slice reaches the thread with a copy of the body: here one that no longer decodes.
    const garbage = Buffer.alloc(gzipped.byteLength, 0xff);
    const rest = withBufferText(
      await threaded.encode(
        job(garbage, { compression: "gzip", from: first.next ?? -1, maxRows: 20, key: "request-1" }),
      ),
    );
    expect([first.spans?.rows, rest.spans?.rows, rest.next]).toEqual([20, 5, null]);
    expect(Buffer.concat([Buffer.from(first.spans?.text ?? []), rest.spans?.text ?? Buffer.alloc(0)])).toEqual(
      whole.spans?.text,
    );
    // Another request's slice, and the same request's once its last slice is done, decode their body.
    await threaded.encode(job(gzipped, { compression: "gzip", from: 0, maxRows: 20, key: "request-2" }));
    await expect(
      threaded.encode(job(garbage, { compression: "gzip", from: 20, maxRows: 20, key: "request-1" })),
    ).rejects.toThrow(/gzip|header|decompress|could not be decoded|invalid/i);
  });

  it("encodes an SDK export the same in the encoding thread as inline, gzip or not", async () => {
    const spans = createTraceSpans(5);
    const raw = toProtobufBody(spans);
    const fromThread = await threaded.encode(job(gzipSync(raw), { compression: "gzip" }));
    expect(withBufferText(fromThread)).toEqual(withBufferText(await inline.encode(job(raw))));
    expect(fromThread.spans?.rows).toBe(5);
    expect(fromThread.bytes).toBe(raw.byteLength);
    expect(fromThread.traceIds).toEqual([spans[0]?.spanContext().traceId]);
    // One JSONCompactEachRow line per span, values in the column order, as UTF-8 bytes.
    const lines = Buffer.from(fromThread.spans?.text ?? [])
      .toString("utf8")
      .trimEnd()
      .split("\n");
    const columns = fromThread.spans?.columns ?? [];
    const rows = lines.map((line) =>
      Object.fromEntries(columns.map((column, index) => [column, JSON.parse(line)[index]])),
    );
    expect(rows.map((row) => row.span_id).sort()).toEqual(spans.map((span) => span.spanContext().spanId).sort());
    expect(new Set(rows.map((row) => row.project_id))).toEqual(new Set(["project-1"]));
  });

  it("encodes JSON bodies and evaluation logs as scores", async () => {
    const spans = createTraceSpans(2);
    expect((await threaded.encode(job(toJsonBody(spans), { encoding: "json" }))).spans?.rows).toBe(2);
    const target = { traceId: spans[0]?.spanContext().traceId ?? "", spanId: spans[0]?.spanContext().spanId ?? "" };
    const logs = await threaded.encode(job(createEvaluationLogBody(target), { signal: "logs", encoding: "json" }));
    expect(logs.spans).toBeNull();
    expect(logs.scores?.rows).toBe(1);
    expect(Buffer.from(logs.scores?.text ?? []).toString("utf8")).toContain(target.spanId);
  });

  it("stops a thread that runs past the time limit, and runs the next task on a fresh one", async () => {
    const limited = createIngestEncoder({ threads: 1, timeoutMs: 100 });
    try {
      // One span of 300,000 messages (10.6 MB): over half a second to decode and normalize.
      const stuck = limited.encode(job(toProtobufBody(createMessagesSpan(300_000))));
      await expect(stuck).rejects.toBeInstanceOf(EncodeTimeoutError);
      await expect(stuck).rejects.toThrow("encoding a slice of this export took longer than 100 ms");
      const next = await limited.encode(job(toProtobufBody(createTraceSpans(3))));
      expect(next.spans?.rows).toBe(3);
    } finally {
      await limited.close();
    }
  });

  it("counts the time limit from when a thread starts a task, not while the task waits for one", async () => {
    // Tasks of 50,000 messages, timed here: the limit is ten times one task, and three limits'
    // worth of them wait behind the one thread.
    const body = toProtobufBody(createMessagesSpan(50_000));
    await inline.encode(job(body));
    const timedAt = performance.now();
    await inline.encode(job(body));
    const taskMs = performance.now() - timedAt;
    const timeoutMs = Math.max(50, Math.round(10 * taskMs));
    const tasks = Math.ceil((3 * timeoutMs) / taskMs);
    const limited = createIngestEncoder({ threads: 1, timeoutMs });
    try {
      const started = performance.now();
      const encoded = await Promise.all(Array.from({ length: tasks }, () => limited.encode(job(body))));
      expect(performance.now() - started).toBeGreaterThan(timeoutMs);
      expect(encoded.map((slice) => slice.spans?.rows)).toEqual(Array(tasks).fill(1));
    } finally {
      await limited.close();
    }
  });
});
