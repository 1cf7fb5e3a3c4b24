import { gzipSync, zstdCompressSync } from "node:zlib";
import { ProtobufTraceSerializer } from "@opentelemetry/otlp-transformer";
import { createBatchWriter, getIngestUsage, getTrace } from "@spanlens/clickhouse";
import { QueueName } from "@spanlens/core";
import { createConsumer, getQueue, getRedis, otlpBodyKey } from "@spanlens/queue";
import {
  createIngestEncoder,
  createOtlpIngestProcessor,
  defaultConsumers,
  startWorker,
  type TRunningWorker,
} from "@spanlens/worker";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  countStoredSpans,
  expectStoredExactlyOnce,
  queueBacklog,
  traceIdOf,
  waitForEmptyQueue,
} from "./ingest-checks.js";
import {
  createEvaluationLogBody,
  createSpansWithOneBadTraceId,
  createTraceSpans,
  toJsonBody,
  toProtobufBody,
} from "./otlp-payloads.js";
import { getClickHouse, startPipeline, type TPipeline, waitFor } from "./pipeline-harness.js";

const MAX_BODY_BYTES = 256 * 1024;
let pipeline: TPipeline;
/** The worker currently draining the queue; tests that stop it start a fresh one. */
let worker: TRunningWorker;

beforeAll(async () => {
  process.env.INGEST_MAX_BODY_BYTES = String(MAX_BODY_BYTES);
  pipeline = await startPipeline();
  worker = pipeline.worker;
});

afterAll(async () => {
  await worker.close();
  await pipeline.stop();
  delete process.env.INGEST_MAX_BODY_BYTES;
});

type TEncoding = "json" | "protobuf";
const CONTENT_TYPE = { json: "application/json", protobuf: "application/x-protobuf" } as const;

function post(
  path: string,
  body: Uint8Array,
  { encoding = "json" as TEncoding, headers = {} as Record<string, string> } = {},
): Promise<Response> {
  return fetch(`${pipeline.baseUrl}${path}`, {
    method: "POST",
    headers: {
      "Content-Type": CONTENT_TYPE[encoding],
      Authorization: `Bearer ${pipeline.secretKey}`,
      ...headers,
    },
    body,
  });
}

describe("delivery guarantees", () => {
  it("stores each span once when a client re-sends requests it already delivered", async () => {
    const traces = Array.from({ length: 20 }, () => createTraceSpans(10));
    const bodies = traces.map(toProtobufBody);
    const first = await Promise.all(bodies.map((body) => post("/v1/traces", body, { encoding: "protobuf" })));
    expect(first.map((response) => response.status)).toEqual(Array(20).fill(200));
    await expectStoredExactlyOnce(pipeline.projectId, traces);

    // A client retry after a lost response: same bytes, same span ids, new requests.
    const retried = await Promise.all(
      bodies.slice(0, 5).map((body) => post("/v1/traces", body, { encoding: "protobuf" })),
    );
    expect(retried.map((response) => response.status)).toEqual(Array(5).fill(200));
    // Every body waits in Redis only until its rows are stored: once none is left and the
    // queue is empty, all 25 requests are written.
    await waitFor(
      async () => ({ bodies: await getRedis().keys(`${otlpBodyKey("")}*`), backlog: await queueBacklog() }),
      ({ bodies: left, backlog }) => left.length === 0 && backlog.waiting === 0 && backlog.active === 0,
    );
    await expectStoredExactlyOnce(pipeline.projectId, traces);
    // The retries are counted once, as their spans are stored once.
    const usage = await getIngestUsage(getClickHouse(), {
      projectId: pipeline.projectId,
      from: new Date(Date.now() - 3600_000),
      to: new Date(Date.now() + 60_000),
    });
    expect(usage.totals).toMatchObject({ requests: 20, spans: 200 });
  });

  it("stores a request carrying values the engine cannot take as sent, and the other projects' requests beside it", async () => {
    const other = await pipeline.createProject();
    const odd = createTraceSpans(3);
    // OTLP/JSON can carry a lone UTF-16 surrogate, and exporters report -1 for unknown token
    // counts: as sent, either fails the insert of every row batched with it.
    const oddBody = Buffer.from(toJsonBody(odd))
      .toString("utf8")
      .replace('"name":"batch_job"', '"name":"batch_job \\ud800"')
      .replaceAll('{"intValue":10}', '{"intValue":-1}');
    expect(oddBody).toContain('"batch_job \\ud800"');
    const traces = Array.from({ length: 6 }, () => createTraceSpans(3));
    const responses = await Promise.all([
      post("/v1/traces", Buffer.from(oddBody), { headers: { Authorization: `Bearer ${other.secretKey}` } }),
      ...traces.map((spans) => post("/v1/traces", toProtobufBody(spans), { encoding: "protobuf" })),
    ]);
    expect(responses.map((response) => response.status)).toEqual(Array(7).fill(200));

    await expectStoredExactlyOnce(pipeline.projectId, traces);
    const stored = await waitFor(
      async () => {
        const result = await getClickHouse().query({
          query: `SELECT name, input_tokens, output_tokens FROM spans FINAL
                  WHERE project_id = {projectId:String} AND trace_id = {traceId:String} ORDER BY name`,
          query_params: { projectId: other.projectId, traceId: traceIdOf(odd) },
          format: "JSONEachRow",
        });
        return result.json<{ name: string; input_tokens: number | string; output_tokens: number | string }>();
      },
      (rows) => rows.length === 3,
    );
    // The name keeps what came before the broken escape; the -1 counts are not reported
    // counts, while the output counts (5) stay.
    expect(
      stored.map((row) => [row.name.startsWith("batch_job "), Number(row.input_tokens), Number(row.output_tokens)]),
    ).toEqual([
      [true, 0, 0],
      [false, 0, 5],
      [false, 0, 5],
    ]);
    const backlog = await queueBacklog();
    expect({ delayed: backlog.delayed, failed: backlog.failed }).toEqual({ delayed: 0, failed: 0 });
  });

  it("keeps every acknowledged span through a worker crash and a period with no worker", async () => {
    await worker.close();
    // The crash: this consumer stores a job's rows in ClickHouse, then dies before BullMQ
    // records the job as done — the window a process crash after the insert leaves open.
    // BullMQ sees a failed attempt and redelivers it, exactly as after a real crash.
    const batch = { maxRows: 10_000, maxWaitMs: 20 };
    const storeRows = createOtlpIngestProcessor(
      {
        spans: createBatchWriter(getClickHouse, { table: "spans", ...batch }),
        scores: createBatchWriter(getClickHouse, { table: "scores", ...batch }),
        ingestRequests: createBatchWriter(getClickHouse, { table: "ingest_receipts", ...batch }),
      },
      createIngestEncoder({ threads: 0 }),
    );
    const crashing = await startWorker([
      () =>
        createConsumer(QueueName.OtlpIngest, async (job) => {
          await storeRows(job);
          throw new Error("simulated crash after the insert, before the acknowledgement");
        }),
    ]);
    const beforeCrash = Array.from({ length: 4 }, () => createTraceSpans(10));
    for (const spans of beforeCrash) expect((await post("/v1/traces", toJsonBody(spans))).status).toBe(200);
    await waitFor(queueBacklog, (counts) => counts.delayed === beforeCrash.length && counts.active === 0);
    await crashing.close();
    // The crashed jobs' rows are already in ClickHouse: redelivery will write them again.
    expect(await countStoredSpans(pipeline.projectId, beforeCrash.map(traceIdOf))).toEqual({ rows: 40, distinct: 40 });

    // No worker at all: ingest still acknowledges, because 200 only means "in Redis".
    const whileDown = Array.from({ length: 4 }, () => createTraceSpans(10));
    for (const spans of whileDown) expect((await post("/v1/traces", toJsonBody(spans))).status).toBe(200);
    expect(await queueBacklog()).toMatchObject({ waiting: 4, delayed: 4, active: 0 });
    expect(await countStoredSpans(pipeline.projectId, whileDown.map(traceIdOf))).toEqual({ rows: 0, distinct: 0 });

    worker = await startWorker(defaultConsumers());
    // Drained means the redelivered jobs completed too, so their second insert is in.
    await waitForEmptyQueue();
    await expectStoredExactlyOnce(pipeline.projectId, [...beforeCrash, ...whileDown]);
  });

  it("stores every request under a byte budget smaller than one request, each job sized by its decompressed body", async () => {
    await worker.close();
    const traces = Array.from({ length: 6 }, () => createTraceSpans(5, 4_000));
    const bodies = traces.map((spans) => toJsonBody(spans));
    for (const body of bodies) {
      expect((await post("/v1/traces", gzipSync(body), { headers: { "Content-Encoding": "gzip" } })).status).toBe(200);
    }
    // Queued with no worker running: each job carries its request's size after decompression.
    const queued = await getQueue(QueueName.OtlpIngest).getJobs(["waiting", "prioritized"]);
    expect(queued.map((job) => job.data.bytes).sort()).toEqual(bodies.map((body) => body.length).sort());

    process.env.WORKER_INGEST_MAX_BYTES = String(Math.min(...bodies.map((body) => body.length)) - 1);
    try {
      worker = await startWorker(defaultConsumers());
    } finally {
      delete process.env.WORKER_INGEST_MAX_BYTES;
    }
    // Each request is larger than the whole budget, so they run one at a time, and all complete.
    await waitForEmptyQueue();
    await expectStoredExactlyOnce(pipeline.projectId, traces);
  });
});

describe("OTLP/HTTP transport errors", () => {
  it.each([
    ["gzip", gzipSync],
    ["zstd", zstdCompressSync],
  ] as const)("accepts a %s body and stores its spans", async (encoding, compress) => {
    const spans = createTraceSpans(3);
    const response = await post("/v1/traces", compress(toProtobufBody(spans)), {
      encoding: "protobuf",
      headers: { "Content-Encoding": encoding },
    });
    expect(response.status).toBe(200);
    await expectStoredExactlyOnce(pipeline.projectId, [spans]);
  });

  it("answers 413 when the body passes INGEST_MAX_BODY_BYTES only after decompression", async () => {
    const compressed = gzipSync(toJsonBody(createTraceSpans(2, 2 * MAX_BODY_BYTES)));
    expect(compressed.length).toBeLessThan(MAX_BODY_BYTES / 10);
    const response = await post("/v1/traces", compressed, { headers: { "Content-Encoding": "gzip" } });
    expect(response.status).toBe(413);
    const { error } = (await response.json()) as { error: { message: string } };
    expect(error.message).toContain(`${MAX_BODY_BYTES} bytes after decompression`);
  });

  it("answers 400 naming /v1/logs when a logs export is posted to /v1/traces", async () => {
    const logsBody = createEvaluationLogBody({ traceId: "a".repeat(32), spanId: "b".repeat(16) });
    const response = await post("/v1/traces", logsBody);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { message: string } }).error.message).toContain("/v1/logs");
  });

  it("answers 415 for a content type OTLP/HTTP does not define", async () => {
    const response = await post("/v1/traces", toJsonBody(createTraceSpans(1)), {
      headers: { "Content-Type": "text/plain" },
    });
    expect(response.status).toBe(415);
  });

  it.each(["json", "protobuf"] as const)(
    "reports rejected spans as partial_success in a %s ExportTraceServiceResponse and keeps the rest",
    async (encoding) => {
      const spans = createSpansWithOneBadTraceId();
      const body = encoding === "json" ? toJsonBody(spans) : toProtobufBody(spans);
      const response = await post("/v1/traces", body, { encoding });
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toBe(CONTENT_TYPE[encoding]);
      const bytes = new Uint8Array(await response.arrayBuffer());
      const decoded =
        encoding === "json"
          ? (JSON.parse(Buffer.from(bytes).toString("utf8")) as {
              partialSuccess?: { rejectedSpans?: string | number; errorMessage?: string };
            })
          : ProtobufTraceSerializer.deserializeResponse(bytes);
      expect(Number(decoded.partialSuccess?.rejectedSpans)).toBe(1);
      expect(decoded.partialSuccess?.errorMessage).toMatch(/trace.?id/i);

      const validTraceId = spans[0]?.spanContext().traceId ?? "";
      const stored = await waitFor(
        () => getTrace(getClickHouse(), pipeline.projectId, validTraceId),
        (value) => value !== null,
      );
      expect(stored?.spans.map((span) => span.name)).toEqual(["valid"]);
    },
  );
});

describe("evaluation results over /v1/logs", () => {
  it("turns a gen_ai.evaluation.result log record into one score on its span, even when re-sent", async () => {
    const spans = createTraceSpans(2);
    expect((await post("/v1/traces", toJsonBody(spans))).status).toBe(200);
    const generation = spans.find((span) => span.parentSpanContext !== undefined);
    const target = { traceId: traceIdOf(spans), spanId: generation?.spanContext().spanId ?? "" };
    const logsBody = createEvaluationLogBody(target);
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const response = await post("/v1/logs", logsBody);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({});
    }

    // Both requests processed: the re-sent record must have collapsed into the first score.
    await waitFor(
      () => getTrace(getClickHouse(), pipeline.projectId, target.traceId),
      (value) => (value?.scores.length ?? 0) > 0 && value?.spans.length === 2,
    );
    await waitFor(queueBacklog, (counts) => counts.waiting === 0 && counts.active === 0);
    const scores = (await getTrace(getClickHouse(), pipeline.projectId, target.traceId))?.scores;
    expect(scores).toEqual([
      expect.objectContaining({
        traceId: target.traceId,
        spanId: target.spanId,
        name: "faithfulness",
        value: 0.75,
        label: "mostly_faithful",
        comment: "One claim is not in the context.",
        source: "otlp",
      }),
    ]);
  });
});
