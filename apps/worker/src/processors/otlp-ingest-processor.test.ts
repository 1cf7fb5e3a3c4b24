import { setImmediate as setImmediatePromise } from "node:timers/promises";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import type { TBatchWriter, TEncodedRows } from "@spanlens/clickhouse";
import { type Job, UnrecoverableError } from "bullmq";
import { describe, expect, it } from "vitest";
import { EncodeTimeoutError, type TEncodedIngestJob, type TIngestEncoder } from "./ingest-encoder.js";
import {
  createOtlpIngestProcessor,
  EncodeStuckError,
  RECORD_RESERVE_BYTES,
  SLICE_MAX_ROWS,
  SLICE_MIN_BYTES,
  type TOtlpBodyStore,
} from "./otlp-ingest-processor.js";

/** What an encoder returns for a request stored in one slice: two span rows of one trace. */
const oneSlice = (bodyBytes: number): TEncodedIngestJob => ({
  spans: { columns: ["n"], text: Buffer.from("[1]\n[2]\n"), rows: 2 },
  scores: null,
  traceIds: ["t1"],
  bytes: bodyBytes,
  keptAsSent: { spans: 0, firstError: null },
  next: null,
});

/** Records what each writer received and the order of events around the body store. */
function setup(
  storedBodies: Record<string, Buffer>,
  options: {
    maxBytesInFlight?: number;
    stored?: Promise<void>;
    wasStored?: (request: { projectId: string; requestId: string }) => Promise<boolean>;
    /** What every encoding throws. */
    encodeError?: Error;
  } = {},
) {
  const events: string[] = [];
  const writer = (name: string): TBatchWriter => ({
    write: async (rows: TEncodedRows | null) => {
      if (rows) events.push(`${name}:${rows.rows}`);
      await options.stored;
    },
    flush: async () => undefined,
    pendingRows: 0,
  });
  const bodies: TOtlpBodyStore = {
    get: async (key) => storedBodies[key] ?? null,
    remove: async (key) => {
      events.push(`remove:${key}`);
      delete storedBodies[key];
    },
  };
  const encoded: Buffer[] = [];
  const encoder: TIngestEncoder = {
    encode: async (task) => {
      encoded.push(Buffer.from(task.body));
      events.push(`encode:${task.body.byteLength}`);
      if (options.encodeError) throw options.encodeError;
      return oneSlice(task.body.byteLength);
    },
    close: async () => undefined,
  };
  const processor = createOtlpIngestProcessor(
    { spans: writer("spans"), scores: writer("scores"), ingestRequests: writer("requests") },
    encoder,
    { maxBytesInFlight: options.maxBytesInFlight, wasStored: options.wasStored },
    bodies,
  );
  return { processor, events, encoded };
}

const DAY_MS = 86_400_000;

const job = (data: Record<string, unknown>) =>
  ({
    data: { projectId: "p", requestId: "r1", signal: "traces", encoding: "protobuf", receivedAt: 1, ...data },
  }) as unknown as Job;

describe("otlpIngestProcessor", () => {
  it("reads the body from its key and deletes it only after the rows are written", async () => {
    const { processor, events, encoded } = setup({ "q:otlp-body:r1": Buffer.from("body bytes") });
    expect(await processor(job({ bodyKey: "q:otlp-body:r1", compression: "gzip" }))).toEqual({ spans: 2, scores: 0 });
    expect(encoded.map(String)).toEqual(["body bytes"]);
    expect(events).toEqual(["encode:10", "spans:2", "requests:1", "remove:q:otlp-body:r1"]);
  });

  it("completes without rows when the body is gone within its week (stored before a crash, or refused)", async () => {
    const asked: unknown[] = [];
    const { processor, events, encoded } = setup({}, { wasStored: async (request) => asked.push(request) > 0 });
    const sixDaysAgo = Date.now() - 6 * DAY_MS;
    expect(await processor(job({ bodyKey: "q:otlp-body:r1", receivedAt: sixDaysAgo }))).toEqual({
      spans: 0,
      scores: 0,
    });
    expect(encoded).toEqual([]);
    expect(events).toEqual([]);
    // Within the week the receipt is not looked up: a gone body there never means lost.
    expect(asked).toEqual([]);
  });

  it("fails for good, naming what was lost, a job whose body expired before it was stored", async () => {
    const asked: unknown[] = [];
    const { processor, events } = setup({}, { wasStored: async (request) => asked.push(request) < 0 });
    const receivedAt = Date.parse("2026-11-20T08:00:00.000Z");
    const refusal = await processor(
      job({ bodyKey: "q:otlp-body:r1", receivedAt, contentId: "sha-of-body", signal: "logs" }),
    ).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(UnrecoverableError);
    expect((refusal as Error).message).toBe(
      "the request's body expired before it was stored (bodies are kept 7 days from arrival; this request arrived 2026-11-20T08:00:00.000Z): its logs are lost",
    );
    // The receipt is looked up under the id the worker writes it with: the body's hash.
    expect(asked).toEqual([{ projectId: "p", requestId: "sha-of-body" }]);
    expect(events).toEqual([]);
  });

  it("completes a job whose body is gone past its expiry when its receipt shows it was stored", async () => {
    const asked: unknown[] = [];
    const { processor } = setup({}, { wasStored: async (request) => asked.push(request) > 0 });
    const eightDaysAgo = Date.now() - 8 * DAY_MS;
    expect(await processor(job({ bodyKey: "q:otlp-body:r1", receivedAt: eightDaysAgo }))).toEqual({
      spans: 0,
      scores: 0,
    });
    // A job queued before receipts were keyed by the body's hash: its own id.
    expect(asked).toEqual([{ projectId: "p", requestId: "r1" }]);
  });

  it("still reads jobs that carry their body inline (queued by earlier versions)", async () => {
    const { processor, encoded } = setup({});
    await processor(job({ body: Buffer.from("inline").toString("base64") }));
    expect(encoded.map(String)).toEqual(["inline"]);
  });

  it("fails a job it cannot read so that it is retried, not failed for good, for an upgraded worker to store", async () => {
    const { processor } = setup({});
    // Neither a body key nor a body, as a newer receiver's job might look to this worker.
    const refusal = await processor(job({})).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(Error);
    expect(refusal).not.toBeInstanceOf(UnrecoverableError);
    expect((refusal as Error).message).toMatch(/^job payload this worker cannot read \(queued by a newer receiver\?/);
  });

  it("fails a job whose encoding ran past the time limit, to be retried once, and for good the second time", async () => {
    const { processor, events } = setup(
      { "q:otlp-body:r1": Buffer.from("body bytes") },
      { encodeError: new EncodeTimeoutError(150) },
    );
    const first = job({ bodyKey: "q:otlp-body:r1" });
    await expect(processor(first)).rejects.toBeInstanceOf(EncodeTimeoutError);
    // BullMQ keeps the attempt's reason on the job it hands out again.
    const again = Object.assign(job({ bodyKey: "q:otlp-body:r1" }), {
      failedReason: new EncodeTimeoutError(150).message,
    });
    const stuck = processor(again);
    await expect(stuck).rejects.toBeInstanceOf(EncodeStuckError);
    await expect(stuck).rejects.toBeInstanceOf(UnrecoverableError);
    await expect(stuck).rejects.toThrow(
      "encoding a slice of this export took longer than 150 ms on two attempts, and was stopped both times",
    );
    // After another cause, a time limit reached is the first.
    const afterOther = Object.assign(job({ bodyKey: "q:otlp-body:r1" }), { failedReason: "ClickHouse unreachable" });
    await expect(processor(afterOther)).rejects.toBeInstanceOf(EncodeTimeoutError);
    // Nothing was written, and the body waits for the next attempt.
    expect(events).toEqual(["encode:10", "encode:10", "encode:10"]);
  });

  it("holds a job while its bytes would pass the in-flight budget, until earlier jobs are stored", async () => {
    let markStored: () => void = () => undefined;
    const stored = new Promise<void>((resolve) => {
      markStored = resolve;
    });
    const sizes = { a: 60, b: 30, c: 20, big: 500, legacy: 7 };
    const { processor, events } = setup(
      Object.fromEntries(Object.entries(sizes).map(([key, size]) => [key, Buffer.alloc(size)])),
      { maxBytesInFlight: 100, stored },
    );
    const run = (key: keyof typeof sizes) =>
      processor(job({ requestId: key, bodyKey: key, ...(key === "legacy" ? {} : { bytes: sizes[key] }) }));
    const encodes = () => events.filter((event) => event.startsWith("encode:"));
    const settled = () => new Promise((resolve) => setImmediate(resolve));

    const jobs = [run("a"), run("b"), run("c"), run("big"), run("legacy")];
    await settled();
    // a and b hold 90 of 100 bytes; c (20) waits, and so does the big job behind it.
    // A job queued before sizes were recorded is not counted.
    expect(new Set(encodes())).toEqual(new Set(["encode:60", "encode:30", "encode:7"]));

    markStored();
    await Promise.all(jobs);
    // c runs once a and b are stored; the request larger than the whole budget runs alone, last.
    expect(encodes().slice(3)).toEqual(["encode:20", "encode:500"]);
    expect(events.indexOf("encode:500")).toBeGreaterThan(events.indexOf("remove:c"));
  });

  it("stores a request of many records in slices, each written before the next is encoded, with one receipt", async () => {
    const records = 12_345;
    const events: string[] = [];
    let receipt: unknown[] = [];
    const writer = (name: string): TBatchWriter => ({
      write: async (rows: TEncodedRows | null, options?: { now?: boolean }) => {
        if (!rows) return;
        await new Promise((resolve) => setImmediate(resolve));
        events.push(`${name}:${rows.rows}${options?.now ? " now" : ""}`);
        if (name === "requests") receipt = JSON.parse(String(rows.text).trim()) as unknown[];
      },
      flush: async () => undefined,
      pendingRows: 0,
    });
    const encoder: TIngestEncoder = {
      // One trace per 1,000 records; a slice ends at maxRows, as encodeIngestJob's does.
      encode: async (task) => {
        const from = task.from ?? 0;
        const to = Math.min(records, from + (task.maxRows ?? records));
        events.push(`encode:${from}-${to}:${task.maxBytes}`);
        const traceIds = new Set<string>();
        for (let index = from; index < to; index += 1) traceIds.add(`t${Math.floor(index / 1000)}`);
        return {
          spans: { columns: ["n"], text: Buffer.from("[1]\n"), rows: to - from },
          scores: from === 0 ? { columns: ["s"], text: Buffer.from("[1]\n"), rows: 1 } : null,
          traceIds: [...traceIds],
          bytes: 900_000,
          keptAsSent: { spans: from === 5000 ? 2 : 0, firstError: from === 5000 ? "bad span" : null },
          next: to < records ? to : null,
        };
      },
      close: async () => undefined,
    };
    const notified: string[][] = [];
    const kept: unknown[] = [];
    const processor = createOtlpIngestProcessor(
      { spans: writer("spans"), scores: writer("scores"), ingestRequests: writer("requests") },
      encoder,
      {
        onTracesStored: async (_projectId, traceIds) => void notified.push(traceIds),
        onKeptAsSent: (keptJob, spans, firstError) => void kept.push([keptJob.requestId, spans, firstError]),
      },
      { get: async () => Buffer.from("body"), remove: async (key) => void events.push(`remove:${key}`) },
    );
    const result = await processor(job({ bodyKey: "b", bytes: 900_000, records, contentId: "sha" }));

    expect(result).toEqual({ spans: records, scores: 1 });
    // 12,345 records reserve 12.6 MB (more than the 0.9 MB body), and a slice may encode twice that.
    const maxBytes = 2 * records * RECORD_RESERVE_BYTES;
    expect(maxBytes).toBeGreaterThan(SLICE_MIN_BYTES);
    expect(events).toEqual([
      `encode:0-${SLICE_MAX_ROWS}:${maxBytes}`,
      // Slices before the last are inserted at once, without the batch timer.
      `spans:${SLICE_MAX_ROWS} now`,
      "scores:1 now",
      `encode:5000-10000:${maxBytes}`,
      "spans:5000 now",
      `encode:10000-${records}:${maxBytes}`,
      "spans:2345",
      "requests:1",
      "remove:b",
    ]);
    // The receipt counts every slice's spans, under the body's hash.
    expect(receipt).toEqual(["p", "sha", expect.any(String), records, 900_000]);
    expect(notified).toEqual([Array.from({ length: 13 }, (_, index) => `t${index}`)]);
    // The spans stored as sent, summed over the slices, reported once for the job.
    expect(kept).toEqual([["r1", 2, "bad span"]]);
  });

  it("reserves a job's records' decoded size when it is larger than its bytes", async () => {
    let markStored: () => void = () => undefined;
    const stored = new Promise<void>((resolve) => {
      markStored = resolve;
    });
    const { processor, events } = setup(
      { a: Buffer.alloc(10), b: Buffer.alloc(11) },
      { maxBytesInFlight: 100 * RECORD_RESERVE_BYTES, stored },
    );
    // 10 bytes each on the wire, 60 and 50 records: 110 KiB together against a budget of 100.
    const jobs = [
      processor(job({ requestId: "a", bodyKey: "a", bytes: 10, records: 60 })),
      processor(job({ requestId: "b", bodyKey: "b", bytes: 11, records: 50 })),
    ];
    await new Promise((resolve) => setImmediate(resolve));
    expect(events.filter((event) => event.startsWith("encode:"))).toEqual(["encode:10"]);
    markStored();
    await Promise.all(jobs);
    expect(events.filter((event) => event.startsWith("encode:"))).toEqual(["encode:10", "encode:11"]);
  });
});

describe("a job waiting for its rows' batch", () => {
  it("no longer holds its body, which the collector can free before the batch is written", async () => {
    // The collector, for this test alone: whether the body can be freed is what it asserts.
    setFlagsFromString("--expose-gc");
    const collect = runInNewContext("gc") as () => void;
    let sent: WeakRef<Buffer> | undefined;
    let written: () => void = () => undefined;
    const batchWritten = new Promise<void>((resolve) => {
      written = resolve;
    });
    const encodedBodies: number[] = [];
    const writer: TBatchWriter = { write: () => batchWritten, flush: async () => undefined, pendingRows: 0 };
    const processor = createOtlpIngestProcessor(
      { spans: writer, scores: writer, ingestRequests: writer },
      {
        encode: async (task) => {
          encodedBodies.push(task.body.byteLength);
          return oneSlice(task.body.byteLength);
        },
        close: async () => undefined,
      },
      {},
      {
        // A fresh buffer, as Redis's reply is: nothing else holds it.
        get: async () => {
          const body = Buffer.alloc(64 * 1024, 1);
          sent = new WeakRef(body);
          return body;
        },
        remove: async () => undefined,
      },
    );
    const stored = processor(job({ bodyKey: "q:otlp-body:r1", compression: "gzip" }));
    while (encodedBodies.length === 0) await setImmediatePromise();
    // A macrotask later, so the WeakRef no longer keeps its target for the current turn.
    await setImmediatePromise();
    collect();
    expect(encodedBodies).toEqual([64 * 1024]);
    expect(sent?.deref()).toBeUndefined();
    written();
    expect(await stored).toEqual({ spans: 2, scores: 0 });
  });
});
