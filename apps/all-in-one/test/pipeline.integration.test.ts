import { Metadata } from "@grpc/grpc-js";
import { context, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { OTLPTraceExporter as OTLPGrpcExporter } from "@opentelemetry/exporter-trace-otlp-grpc";
import { OTLPTraceExporter as OTLPHttpJsonExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { OTLPTraceExporter as OTLPProtoExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { CompressionAlgorithm } from "@opentelemetry/otlp-exporter-base";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BatchSpanProcessor, type SpanExporter, TracerProvider } from "@opentelemetry/sdk-trace";
import { getTrace, listTraces } from "@spanlens/clickhouse";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getClickHouse, startPipeline, type TPipeline, waitFor } from "./pipeline-harness.js";

let pipeline: TPipeline;

beforeAll(async () => {
  pipeline = await startPipeline();
});

afterAll(async () => {
  await pipeline.stop();
});

/** A RAG-shaped trace emitted through the official SDK and exporter: retrieve, then generate. */
async function emitRagTrace(exporter: SpanExporter, question: string): Promise<string> {
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ "service.name": "rag-bot", "deployment.environment.name": "staging" }),
    spanProcessors: [new BatchSpanProcessor({ exporter })],
  });
  const tracer = provider.getTracer("pipeline-test");
  // Parents are passed explicitly: no context manager is registered in this process.
  const root = tracer.startSpan("answer_question", { kind: SpanKind.SERVER });
  const parent = trace.setSpan(context.active(), root);
  root.setAttributes({ "user.id": "user-7", "session.id": "session-3", "tag.tags": ["domain:hr", "beta"] });
  const retrieve = tracer.startSpan("rag.retrieve", {}, parent);
  retrieve.setAttributes({
    "openinference.span.kind": "RETRIEVER",
    "input.value": question,
    "retrieval.documents.0.document.id": "handbook#12",
    "retrieval.documents.0.document.content": "Employees get 25 vacation days.",
    "retrieval.documents.0.document.score": 0.82,
    "retrieval.documents.1.document.id": "handbook#40",
    "retrieval.documents.1.document.content": "Parking is free.",
    "retrieval.documents.1.document.score": 0.31,
  });
  retrieve.end();
  const generate = tracer.startSpan("chat gpt-4o-mini", { kind: SpanKind.CLIENT }, parent);
  generate.setAttributes({
    "gen_ai.operation.name": "chat",
    "gen_ai.provider.name": "openai",
    "gen_ai.request.model": "gpt-4o-mini",
    "gen_ai.request.temperature": 0.2,
    "gen_ai.input.messages": JSON.stringify([{ role: "user", parts: [{ type: "text", content: question }] }]),
    "gen_ai.output.messages": JSON.stringify([
      { role: "assistant", parts: [{ type: "text", content: "25 days." }], finish_reason: "stop" },
    ]),
    "gen_ai.usage.input_tokens": 120,
    "gen_ai.usage.output_tokens": 8,
  });
  generate.end();
  root.setStatus({ code: SpanStatusCode.OK });
  root.end();
  await provider.forceFlush();
  await provider.shutdown();
  return root.spanContext().traceId;
}

describe("OTLP from the official exporters to queryable rows", () => {
  it.each([
    [
      "protobuf",
      (url: string, key: string) => new OTLPProtoExporter({ url, headers: { Authorization: `Bearer ${key}` } }),
    ],
    [
      "json",
      (url: string, key: string) => new OTLPHttpJsonExporter({ url, headers: { Authorization: `Bearer ${key}` } }),
    ],
    [
      "gzip-compressed protobuf over gRPC",
      (_url: string, key: string) => {
        const metadata = new Metadata();
        metadata.set("authorization", `Bearer ${key}`);
        return new OTLPGrpcExporter({
          url: `http://${pipeline.grpcAddress}`,
          metadata,
          compression: CompressionAlgorithm.GZIP,
        });
      },
    ],
  ] as const)("stores a RAG trace sent as %s with its meaning intact", async (_encoding, createExporter) => {
    const exporter: SpanExporter = createExporter(`${pipeline.baseUrl}/v1/traces`, pipeline.secretKey);
    const traceId = await emitRagTrace(exporter, "How many vacation days do I get?");

    const trace = await waitFor(
      () => getTrace(getClickHouse(), pipeline.projectId, traceId),
      (value) => (value?.spans.length ?? 0) === 3,
    );
    const spans = trace?.spans ?? [];
    const retrieve = spans.find((span) => span.name === "rag.retrieve");
    const generate = spans.find((span) => span.kind === "generation");
    const root = spans.find((span) => span.parentSpanId === null);

    expect(root?.name).toBe("answer_question");
    expect(retrieve?.kind).toBe("retrieval");
    expect(retrieve?.parentSpanId).toBe(root?.spanId);
    expect(retrieve?.retrievedDocuments).toMatchObject([
      { id: "handbook#12", content: "Employees get 25 vacation days.", score: 0.82, rank: 1 },
      { id: "handbook#40", score: 0.31, rank: 2 },
    ]);
    expect(generate).toMatchObject({
      provider: "openai",
      model: "gpt-4o-mini",
      modelParameters: { temperature: 0.2 },
      usage: { inputTokens: 120, outputTokens: 8 },
      environment: "staging",
      serviceName: "rag-bot",
    });
    expect(generate?.inputMessages).toMatchObject([{ role: "user", content: "How many vacation days do I get?" }]);
    expect(generate?.outputMessages).toMatchObject([{ role: "assistant", content: "25 days.", finishReason: "stop" }]);
    expect(generate?.cost.source).toBe("computed");
    expect(generate?.cost.total).toBeGreaterThan(0);

    const list = await listTraces(getClickHouse(), {
      projectId: pipeline.projectId,
      from: new Date(Date.now() - 3600_000),
      to: new Date(Date.now() + 60_000),
      tags: ["domain:hr"],
      userId: "user-7",
      limit: 50,
    });
    const summary = list.data.find((item) => item.traceId === traceId);
    expect(summary).toMatchObject({
      name: "answer_question",
      spanCount: 3,
      errorCount: 0,
      totalTokens: 128,
      sessionId: "session-3",
    });
    expect(summary?.tags).toEqual(["beta", "domain:hr"]);
    expect(summary?.models).toEqual(["gpt-4o-mini"]);
  });

  it("stores an export of several megabytes, whose body goes to Redis on a connection of its own, beside small ones", async () => {
    const exporter = new OTLPProtoExporter({
      url: `${pipeline.baseUrl}/v1/traces`,
      headers: { Authorization: `Bearer ${pipeline.secretKey}` },
    });
    const provider = new TracerProvider({
      resource: resourceFromAttributes({ "service.name": "bulk-loader" }),
      spanProcessors: [new BatchSpanProcessor({ exporter, maxExportBatchSize: 512, scheduledDelayMillis: 60_000 })],
    });
    const tracer = provider.getTracer("bulk-loader");
    const root = tracer.startSpan("backfill");
    const parent = trace.setSpan(context.active(), root);
    // 150 generations with 20 KB prompts: one export of ~3 MB.
    for (let index = 0; index < 150; index += 1) {
      tracer
        .startSpan(
          `chat #${index}`,
          { attributes: { "gen_ai.operation.name": "chat", "gen_ai.prompt": "p".repeat(20_000) } },
          parent,
        )
        .end();
    }
    root.end();
    const small = emitRagTrace(
      new OTLPProtoExporter({
        url: `${pipeline.baseUrl}/v1/traces`,
        headers: { Authorization: `Bearer ${pipeline.secretKey}` },
      }),
      "How large can an export be?",
    );
    await provider.forceFlush();
    await provider.shutdown();
    const stored = await waitFor(
      () => getTrace(getClickHouse(), pipeline.projectId, root.spanContext().traceId),
      (value) => value !== null && value.spans.length === 151,
      30_000,
    );
    // Its 20 KB prompt kept whole.
    expect(JSON.stringify(stored?.spans.find((span) => span.name === "chat #149"))).toContain("p".repeat(20_000));
    const smallTraceId = await small;
    await waitFor(
      () => getTrace(getClickHouse(), pipeline.projectId, smallTraceId),
      (value) => value !== null,
    );
  });

  it("keeps projects apart: another project's key cannot see or write this project's traces", async () => {
    const other = await pipeline.createProject();
    const exporter = new OTLPProtoExporter({
      url: `${pipeline.baseUrl}/v1/traces`,
      headers: { Authorization: `Bearer ${other.secretKey}` },
    });
    const traceId = await emitRagTrace(exporter, "Where do I park?");
    await waitFor(
      () => getTrace(getClickHouse(), other.projectId, traceId),
      (value) => value !== null,
    );
    expect(await getTrace(getClickHouse(), pipeline.projectId, traceId)).toBeNull();
  });
});
