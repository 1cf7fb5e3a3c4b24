import { context, SpanKind, trace } from "@opentelemetry/api";
import { JsonTraceSerializer } from "@opentelemetry/otlp-transformer";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";
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

/**
 * What a Langfuse SDK with a plain exporter produces: trace-level attributes on the root
 * span only, the generation's details under `langfuse.observation.*`.
 */
function createLangfuseSpans(): { root: ReadableSpan; generation: ReadableSpan } {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ "service.name": "helpdesk", "telemetry.sdk.language": "nodejs" }),
    spanProcessors: [new SimpleSpanProcessor({ exporter })],
  });
  const tracer = provider.getTracer("langfuse-sdk", "5.0.0");
  const root = tracer.startSpan("support-chat", {
    attributes: {
      "langfuse.trace.name": "support-chat",
      "langfuse.user.id": "customer-118",
      "langfuse.session.id": "ticket-5521",
      "langfuse.trace.tags": ["billing", "priority:high"],
      "langfuse.observation.type": "span",
      "langfuse.trace.metadata.plan": "enterprise",
    },
  });
  const generation = tracer.startSpan(
    "draft-reply",
    {
      kind: SpanKind.CLIENT,
      attributes: {
        "langfuse.observation.type": "generation",
        "langfuse.observation.model.name": "gpt-4o",
        "langfuse.observation.model.parameters": JSON.stringify({ temperature: 0.1, max_tokens: 256 }),
        "langfuse.observation.input": JSON.stringify([{ role: "user", content: "Why was I charged twice?" }]),
        "langfuse.observation.output": JSON.stringify({ role: "assistant", content: "The second charge is a hold." }),
        "langfuse.observation.usage_details": JSON.stringify({ input: 120, output: 30, total: 150 }),
      },
    },
    trace.setSpan(context.active(), root),
  );
  generation.end();
  root.end();
  const [finishedGeneration, finishedRoot] = exporter.getFinishedSpans();
  if (!finishedGeneration || !finishedRoot) throw new Error("spans did not finish");
  return { root: finishedRoot, generation: finishedGeneration };
}

function postLangfuse(spans: ReadableSpan[], authorization: string): Promise<Response> {
  const body = JsonTraceSerializer.serializeRequest(spans);
  if (!body) throw new Error("serializer returned nothing");
  return fetch(`${pipeline.baseUrl}/api/public/otel/v1/traces`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: authorization },
    body,
  });
}

const basicAuth = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;

describe("Langfuse SDK path (/api/public/otel/v1/traces, Basic auth, OTLP/JSON)", () => {
  it("lifts trace-level fields from the root span when the generation arrives in an earlier request", async () => {
    const { root, generation } = createLangfuseSpans();
    const traceId = root.spanContext().traceId;
    const auth = basicAuth(pipeline.publicKey, pipeline.secretKey);

    // The child first, in its own request: trace fields must still end up on the trace.
    const first = await postLangfuse([generation], auth);
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({});
    expect((await postLangfuse([root], auth)).status).toBe(200);

    const list = await waitFor(
      () =>
        listTraces(getClickHouse(), {
          projectId: pipeline.projectId,
          from: new Date(Date.now() - 3600_000),
          to: new Date(Date.now() + 60_000),
          userId: "customer-118",
          sessionId: "ticket-5521",
          tags: ["billing"],
          limit: 10,
        }),
      (value) => value.data.some((item) => item.traceId === traceId && item.spanCount === 2),
    );
    const summary = list.data.find((item) => item.traceId === traceId);
    expect(summary).toMatchObject({
      name: "support-chat",
      userId: "customer-118",
      sessionId: "ticket-5521",
      totalTokens: 150,
      spanCount: 2,
      errorCount: 0,
    });
    expect(summary?.tags).toEqual(["billing", "priority:high"]);
    expect(summary?.models).toEqual(["gpt-4o"]);

    const stored = await getTrace(getClickHouse(), pipeline.projectId, traceId);
    const storedGeneration = stored?.spans.find((span) => span.name === "draft-reply");
    const storedRoot = stored?.spans.find((span) => span.parentSpanId === null);
    expect(storedGeneration).toMatchObject({
      kind: "generation",
      parentSpanId: root.spanContext().spanId,
      model: "gpt-4o",
      modelParameters: { temperature: 0.1, max_tokens: 256 },
      usage: { inputTokens: 120, outputTokens: 30, totalTokens: 150, isAggregate: false },
      serviceName: "helpdesk",
    });
    expect(storedGeneration?.conventions).toContain("langfuse");
    expect(storedGeneration?.inputMessages).toMatchObject([{ role: "user", content: "Why was I charged twice?" }]);
    expect(storedGeneration?.outputMessages).toMatchObject([
      { role: "assistant", content: "The second charge is a hold." },
    ]);
    expect(storedGeneration?.cost.total).toBeGreaterThan(0);
    expect(storedRoot).toMatchObject({ name: "support-chat", userId: "customer-118", sessionId: "ticket-5521" });
    expect(storedRoot?.metadata).toMatchObject({ plan: "enterprise" });
  });

  it("refuses Basic credentials whose secret does not belong to the public key", async () => {
    const other = await pipeline.createProject();
    const { root } = createLangfuseSpans();
    const response = await postLangfuse([root], basicAuth(pipeline.publicKey, other.secretKey));
    expect(response.status).toBe(401);
    const unknownSecret = await postLangfuse([root], basicAuth(pipeline.publicKey, "sk-sl-wrong"));
    expect(unknownSecret.status).toBe(401);
  });
});
