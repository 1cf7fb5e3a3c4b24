import type { TBatchWriter, TEncodedRows } from "@spanlens/clickhouse";
import { type Job, UnrecoverableError } from "bullmq";
import { describe, expect, it } from "vitest";
import type { TIngestEncoder } from "./ingest-encoder.js";
import { createOtlpIngestProcessor, type TOtlpBodyStore } from "./otlp-ingest-processor.js";

/** Records what each writer received and the order of events around the body store. */
function setup(
  storedBodies: Record<string, Buffer>,
  options: {
    maxBytesInFlight?: number;
    stored?: Promise<void>;
    wasStored?: (request: { projectId: string; requestId: string }) => Promise<boolean>;
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
      return {
        spans: { columns: ["n"], text: Buffer.from("[1]\n[2]\n"), rows: 2 },
        scores: null,
        traceIds: ["t1"],
        bytes: task.body.byteLength,
        keptAsSent: { spans: 0, firstError: null },
      };
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
});
