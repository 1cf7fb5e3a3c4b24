import { randomBytes } from "node:crypto";
import { Client, credentials, Metadata, type ServiceError, status } from "@grpc/grpc-js";
import { OTLPLogExporter } from "@opentelemetry/exporter-logs-otlp-grpc";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-grpc";
import { CompressionAlgorithm } from "@opentelemetry/otlp-exporter-base";
import { ProtobufTraceSerializer } from "@opentelemetry/otlp-transformer";
import { type ReadableSpan, SimpleSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";
import { getTrace } from "@spanlens/clickhouse";
import { readIngestConfig, startGrpcIngest } from "@spanlens/ingest";
import { googleRpcTypes } from "@spanlens/otlp/testing";
import { defaultConsumers, startWorker, type TRunningWorker } from "@spanlens/worker";
import protobuf from "protobufjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createEvaluationLogBody,
  createSpansWithOneBadTraceId,
  createTraceSpans,
  emitEvaluationResult,
  toProtobufBody,
} from "./otlp-payloads.js";
import { getClickHouse, startPipeline, type TPipeline, waitFor } from "./pipeline-harness.js";

const MAX_BODY_BYTES = 256 * 1024;
const TRACE_EXPORT = "/opentelemetry.proto.collector.trace.v1.TraceService/Export";
const LOGS_EXPORT = "/opentelemetry.proto.collector.logs.v1.LogsService/Export";
/** gzip in grpc-js's `grpc.default_compression_algorithm` numbering. */
const GZIP = 2;

let pipeline: TPipeline;
let worker: TRunningWorker;
const clients: Client[] = [];

beforeAll(async () => {
  process.env.INGEST_MAX_BODY_BYTES = String(MAX_BODY_BYTES);
  pipeline = await startPipeline();
  worker = pipeline.worker;
});

afterAll(async () => {
  for (const client of clients) client.close();
  await worker.close();
  await pipeline.stop();
  delete process.env.INGEST_MAX_BODY_BYTES;
});

/** A plain grpc-js client sending bytes, as any OTLP/gRPC exporter puts them on the wire. */
function connect(address = pipeline.grpcAddress, options: { gzip?: boolean } = {}): Client {
  const client = new Client(
    address,
    credentials.createInsecure(),
    options.gzip ? { "grpc.default_compression_algorithm": GZIP } : {},
  );
  clients.push(client);
  return client;
}

interface TExportResult {
  response?: Buffer;
  error?: ServiceError;
}

function callExport(
  client: Client,
  path: string,
  body: Uint8Array,
  authorization: string | null = `Bearer ${pipeline.secretKey}`,
): Promise<TExportResult> {
  const metadata = new Metadata();
  if (authorization !== null) metadata.set("authorization", authorization);
  const asBytes = (value: Buffer) => value;
  return new Promise((resolve) => {
    client.makeUnaryRequest(path, asBytes, asBytes, Buffer.from(body), metadata, {}, (error, response) =>
      resolve(error ? { error } : { response: response ?? Buffer.alloc(0) }),
    );
  });
}

const traceIdOf = (spans: ReadableSpan[]) => spans[0]?.spanContext().traceId ?? "";

function storedSpanNames(traceId: string): Promise<string[]> {
  return waitFor(
    async () => (await getTrace(getClickHouse(), pipeline.projectId, traceId))?.spans.map((span) => span.name) ?? [],
    (names) => names.length > 0,
  );
}

/** grpc.health.v1 from its published schema, read by protobufjs. */
const healthTypes = protobuf.Root.fromJSON({
  nested: {
    grpc: {
      nested: {
        health: {
          nested: {
            v1: {
              nested: {
                HealthCheckRequest: { fields: { service: { type: "string", id: 1 } } },
                HealthCheckResponse: { fields: { status: { type: "ServingStatus", id: 1 } } },
                ServingStatus: { values: { UNKNOWN: 0, SERVING: 1, NOT_SERVING: 2, SERVICE_UNKNOWN: 3 } },
              },
            },
          },
        },
      },
    },
  },
});
/** The google.rpc.Status an error carries in `grpc-status-details-bin`: its code and RetryInfo's delay. */
function retryInfoOf(error: ServiceError): { code: number; retryDelaySeconds: number | undefined } {
  const [detailsBin] = error.metadata.get("grpc-status-details-bin");
  expect(Buffer.isBuffer(detailsBin)).toBe(true);
  const rpcStatus = googleRpcTypes.lookupType("google.rpc.Status").decode(detailsBin as Buffer) as unknown as {
    code: number;
    details: Array<{ type_url: string; value: Uint8Array }>;
  };
  expect(rpcStatus.details[0]?.type_url).toBe("type.googleapis.com/google.rpc.RetryInfo");
  const retryInfoType = googleRpcTypes.lookupType("google.rpc.RetryInfo");
  const retryInfo = retryInfoType.toObject(retryInfoType.decode(rpcStatus.details[0]?.value ?? new Uint8Array()), {
    longs: Number,
  }) as { retry_delay?: { seconds?: number } };
  return { code: rpcStatus.code, retryDelaySeconds: retryInfo.retry_delay?.seconds };
}

describe("OTLP/gRPC receiver", () => {
  it("stores the spans of a plain and of a gzip-compressed export with an empty response", async () => {
    for (const gzip of [false, true]) {
      const spans = createTraceSpans(3);
      const { response, error } = await callExport(
        connect(pipeline.grpcAddress, { gzip }),
        TRACE_EXPORT,
        toProtobufBody(spans),
      );
      expect(error).toBeUndefined();
      expect(response?.length).toBe(0);
      const stored = await waitFor(
        () => getTrace(getClickHouse(), pipeline.projectId, traceIdOf(spans)),
        (value) => value?.spans.length === 3,
      );
      expect(stored?.spans.map((span) => span.spanId).sort()).toEqual(
        spans.map((span) => span.spanContext().spanId).sort(),
      );
    }
  });

  it("takes an official exporter configured only by the environment lines the settings page shows", async () => {
    const lines = {
      OTEL_EXPORTER_OTLP_PROTOCOL: "grpc",
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://${pipeline.grpcAddress}`,
      OTEL_EXPORTER_OTLP_HEADERS: `authorization=Bearer%20${pipeline.secretKey}`,
    };
    Object.assign(process.env, lines);
    let exporter: OTLPTraceExporter;
    try {
      exporter = new OTLPTraceExporter();
    } finally {
      for (const name of Object.keys(lines)) delete process.env[name];
    }
    const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
    const span = provider.getTracer("env-configured").startSpan("configured from the environment");
    span.end();
    await provider.forceFlush();
    await provider.shutdown();
    expect(await storedSpanNames(span.spanContext().traceId)).toEqual(["configured from the environment"]);
  });

  it("answers UNAUTHENTICATED without a key and with an unknown key", async () => {
    const body = toProtobufBody(createTraceSpans(1));
    for (const authorization of [null, "Bearer sk-sl-nope"]) {
      const { error } = await callExport(connect(), TRACE_EXPORT, body, authorization);
      expect(error?.code).toBe(status.UNAUTHENTICATED);
      expect(error?.details).toMatch(/key/i);
    }
  });

  it("answers INVALID_ARGUMENT naming the problem for a body that is not an ExportTraceServiceRequest", async () => {
    // A resource_spans field whose length runs past the end of the message.
    const truncated = await callExport(connect(), TRACE_EXPORT, Uint8Array.of(0x0a, 0x7f, 0x0a, 0x02));
    expect(truncated.error?.code).toBe(status.INVALID_ARGUMENT);
    expect(truncated.error?.details).toMatch(/truncated|malformed/i);
  });

  it("reports rejected spans as partial_success and keeps the rest", async () => {
    const spans = createSpansWithOneBadTraceId();
    const { response, error } = await callExport(connect(), TRACE_EXPORT, toProtobufBody(spans));
    expect(error).toBeUndefined();
    const decoded = ProtobufTraceSerializer.deserializeResponse(new Uint8Array(response ?? []));
    expect(Number(decoded.partialSuccess?.rejectedSpans)).toBe(1);
    expect(decoded.partialSuccess?.errorMessage).toMatch(/trace.?id/i);
    expect(await storedSpanNames(traceIdOf(spans))).toEqual(["valid"]);
  });

  it("answers RESOURCE_EXHAUSTED for a message over INGEST_MAX_BODY_BYTES, however small gzip made it", async () => {
    const body = toProtobufBody(createTraceSpans(2, 2 * MAX_BODY_BYTES));
    for (const gzip of [false, true]) {
      const { error } = await callExport(connect(pipeline.grpcAddress, { gzip }), TRACE_EXPORT, body);
      expect(error?.code).toBe(status.RESOURCE_EXHAUSTED);
    }
  });

  it("answers truncated and random messages with OK or INVALID_ARGUMENT, never an internal error", async () => {
    const client = connect();
    const source = toProtobufBody(createTraceSpans(4, 200));
    const bodies: Uint8Array[] = [];
    for (let length = 1; length < source.length; length += 7) bodies.push(source.subarray(0, length));
    for (let i = 0; i < 100; i += 1) bodies.push(randomBytes(1 + (i % 64) * 16));
    const unexpected: string[] = [];
    for (const body of bodies) {
      for (const path of [TRACE_EXPORT, LOGS_EXPORT]) {
        const { error } = await callExport(client, path, body);
        if (error && error.code !== status.INVALID_ARGUMENT) {
          unexpected.push(`${path} ${Buffer.from(body).toString("hex")}: ${error.code} ${error.details}`);
        }
      }
    }
    expect(unexpected).toEqual([]);
    // And the receiver still takes a whole export afterwards.
    expect((await callExport(client, TRACE_EXPORT, source)).error).toBeUndefined();
  });

  it("answers grpc.health.v1 checks for the server and its services, NOT_FOUND for others", async () => {
    const request = healthTypes.lookupType("grpc.health.v1.HealthCheckRequest");
    const response = healthTypes.lookupType("grpc.health.v1.HealthCheckResponse");
    const check = (service: string) =>
      callExport(connect(), "/grpc.health.v1.Health/Check", request.encode(request.create({ service })).finish(), null);
    for (const service of ["", "opentelemetry.proto.collector.trace.v1.TraceService"]) {
      const { response: bytes, error } = await check(service);
      expect(error).toBeUndefined();
      expect(response.toObject(response.decode(bytes ?? Buffer.alloc(0)), { enums: String })).toEqual({
        status: "SERVING",
      });
    }
    expect((await check("opentelemetry.proto.collector.metrics.v1.MetricsService")).error?.code).toBe(status.NOT_FOUND);
  });

  it("answers UNIMPLEMENTED for metrics, which Spanlens does not store", async () => {
    const { error } = await callExport(
      connect(),
      "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export",
      Uint8Array.of(),
    );
    expect(error?.code).toBe(status.UNIMPLEMENTED);
  });

  it("turns an evaluation result from the official logs exporter into a score on its span", async () => {
    const spans = createTraceSpans(2);
    expect((await callExport(connect(), TRACE_EXPORT, toProtobufBody(spans))).error).toBeUndefined();
    const generation = spans.find((span) => span.parentSpanContext !== undefined);
    const target = { traceId: traceIdOf(spans), spanId: generation?.spanContext().spanId ?? "" };
    const metadata = new Metadata();
    metadata.set("authorization", `Bearer ${pipeline.secretKey}`);
    const provider = emitEvaluationResult(
      new OTLPLogExporter({ url: `http://${pipeline.grpcAddress}`, metadata, compression: CompressionAlgorithm.GZIP }),
      target,
    );
    await provider.forceFlush();
    await provider.shutdown();

    const stored = await waitFor(
      () => getTrace(getClickHouse(), pipeline.projectId, target.traceId),
      (value) => (value?.scores.length ?? 0) > 0,
    );
    expect(stored?.scores).toEqual([
      expect.objectContaining({
        spanId: target.spanId,
        name: "faithfulness",
        value: 0.75,
        label: "mostly_faithful",
        source: "otlp",
      }),
    ]);
  });

  it("answers a logs export sent to the trace service with INVALID_ARGUMENT naming logs", async () => {
    const body = createEvaluationLogBody({ traceId: "a".repeat(32), spanId: "b".repeat(16) }, "protobuf");
    const { error } = await callExport(connect(), TRACE_EXPORT, body);
    expect(error?.code).toBe(status.INVALID_ARGUMENT);
    expect(error?.details).toBe(
      "request looks like an OTLP logs export sent to TraceService/Export; send logs to LogsService/Export",
    );
    // The same body is welcome at the logs service.
    expect((await callExport(connect(), LOGS_EXPORT, body)).error).toBeUndefined();
  });

  it("stores a large export from the official exporter, kept compressed while it waited for the worker", async () => {
    // Over a megabyte as grpc-js hands it over (exporters send uncompressed by default): the
    // receiver keeps it zstd-compressed in Redis, and the worker stores it whole.
    const grpc = await startGrpcIngest({
      port: 0,
      hostname: "127.0.0.1",
      config: { ...readIngestConfig(), maxBodyBytes: 4 * 1024 * 1024 },
    });
    try {
      const exporter = new OTLPTraceExporter({
        url: `http://127.0.0.1:${grpc.port}`,
        metadata: (() => {
          const metadata = new Metadata();
          metadata.set("authorization", `Bearer ${pipeline.secretKey}`);
          return metadata;
        })(),
      });
      const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
      const document = Array.from(
        { length: 24_000 },
        (_, index) => `Chunk ${index}: parental leave is sixteen weeks, paid in full.`,
      ).join(" ");
      expect(document.length).toBeGreaterThan(1024 * 1024);
      const span = provider.getTracer("large").startSpan("retrieve", { attributes: { "app.document": document } });
      span.end();
      await provider.forceFlush();
      await provider.shutdown();
      const stored = await waitFor(
        () => getTrace(getClickHouse(), pipeline.projectId, span.spanContext().traceId),
        (value) => value?.spans.length === 1,
      );
      expect(stored?.spans[0]?.attributes["app.document"]).toBe(document);
    } finally {
      await grpc.close();
    }
  });

  it("answers UNAVAILABLE with RetryInfo once the queue is deeper than the limit, and stores what it accepted", async () => {
    await worker.close();
    const grpc = await startGrpcIngest({
      port: 0,
      hostname: "127.0.0.1",
      config: { ...readIngestConfig(), maxQueueDepth: 1, retryAfterSeconds: 3 },
    });
    try {
      const client = connect(`127.0.0.1:${grpc.port}`);
      const accepted: ReadableSpan[][] = [];
      let refused: ServiceError | undefined;
      // The depth is sampled every 250 ms, so a few exports pass before the limit bites.
      for (let attempt = 0; attempt < 40 && !refused; attempt += 1) {
        const spans = createTraceSpans(2);
        const { error } = await callExport(client, TRACE_EXPORT, toProtobufBody(spans));
        if (error) refused = error;
        else accepted.push(spans);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      if (!refused) throw new Error("the gRPC receiver never pushed back");
      expect(refused.code).toBe(status.UNAVAILABLE);
      expect(refused.details).toMatch(/queue is full/i);
      expect(retryInfoOf(refused)).toEqual({ code: status.UNAVAILABLE, retryDelaySeconds: 3 });
      expect(accepted.length).toBeGreaterThan(0);

      worker = await startWorker(defaultConsumers());
      for (const spans of accepted) {
        await waitFor(
          () => getTrace(getClickHouse(), pipeline.projectId, traceIdOf(spans)),
          (value) => value?.spans.length === 2,
          30_000,
        );
      }
    } finally {
      await grpc.close();
    }
  });

  it("answers RESOURCE_EXHAUSTED with RetryInfo to a project taking more than its share past half the queue's bound", async () => {
    await worker.close();
    const grpc = await startGrpcIngest({
      port: 0,
      hostname: "127.0.0.1",
      config: { ...readIngestConfig(), maxQueueDepth: 8, retryAfterSeconds: 3 },
    });
    try {
      const client = connect(`127.0.0.1:${grpc.port}`);
      const quiet = await pipeline.createProject();
      const send = async (authorization: string) => {
        // Past the depth's maximum age, so each export is judged on the depth now.
        await new Promise((resolve) => setTimeout(resolve, 1_100));
        return (await callExport(client, TRACE_EXPORT, toProtobufBody(createTraceSpans(2)), authorization)).error;
      };
      const busy = `Bearer ${pipeline.secretKey}`;
      for (let index = 0; index < 5; index += 1) expect(await send(busy)).toBeUndefined();
      expect(await send(`Bearer ${quiet.secretKey}`)).toBeUndefined();
      const refused = await send(busy);
      if (!refused) throw new Error("the gRPC receiver took more than the project's share");
      expect(refused.code).toBe(status.RESOURCE_EXHAUSTED);
      expect(refused.details).toMatch(/more than its share among 2 projects/);
      // With RetryInfo, which OTLP exporters take as "retry later", unlike an export over the size limit.
      expect(retryInfoOf(refused)).toEqual({ code: status.RESOURCE_EXHAUSTED, retryDelaySeconds: 3 });
      expect(await send(`Bearer ${quiet.secretKey}`)).toBeUndefined();
    } finally {
      await grpc.close();
      worker = await startWorker(defaultConsumers());
    }
  });
});
