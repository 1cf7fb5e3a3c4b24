import { createOpenAICompatible } from "@ai-sdk/openai-compatible";
import { LegacyOpenTelemetry, OpenTelemetry } from "@ai-sdk/otel";
import { context } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BatchSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";
import { getTrace, listTraces } from "@spanlens/clickhouse";
import { generateText, type Telemetry } from "ai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FAKE_REPLY, FAKE_USAGE, startFakeOpenAi, type TFakeOpenAi } from "./fake-openai-server.js";
import { getClickHouse, startPipeline, type TPipeline, waitFor } from "./pipeline-harness.js";

let pipeline: TPipeline;
let fakeOpenAi: TFakeOpenAi;
let provider: TracerProvider;

beforeAll(async () => {
  pipeline = await startPipeline();
  fakeOpenAi = await startFakeOpenAi();
  // AI SDK 7 parents step and model-call spans through the active context.
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  provider = new TracerProvider({
    resource: resourceFromAttributes({ "service.name": "travel-agent", "deployment.environment.name": "prod" }),
    spanProcessors: [
      new BatchSpanProcessor({
        exporter: new OTLPTraceExporter({
          url: `${pipeline.baseUrl}/v1/traces`,
          headers: { Authorization: `Bearer ${pipeline.secretKey}` },
        }),
      }),
    ],
  });
});

afterAll(async () => {
  await provider.shutdown();
  context.disable();
  await fakeOpenAi.close();
  await pipeline.stop();
});

const model = () =>
  createOpenAICompatible({
    name: "openai",
    baseURL: fakeOpenAi.baseUrl,
    apiKey: "sk-test-fake",
    includeUsage: true,
  }).chatModel("gpt-4o-mini");

/** One `generateText` call for `userId`, traced by `integration`; returns the stored trace once `spanCount` spans landed. */
async function generateAndRead(integration: Telemetry, userId: string, spanCount: number) {
  const result = await generateText({
    model: model(),
    system: "You are a travel assistant.",
    prompt: "What is the capital of France?",
    temperature: 0.4,
    runtimeContext: { userId, sessionId: `chat-of-${userId}` },
    telemetry: {
      functionId: "capital-lookup",
      includeRuntimeContext: { userId: true, sessionId: true },
      // Per-call integration: nothing is registered globally besides the context manager.
      integrations: [integration],
    },
  });
  expect(result.text).toBe(FAKE_REPLY);
  await provider.forceFlush();

  const stored = await waitFor(
    async () => {
      const list = await listTraces(getClickHouse(), {
        projectId: pipeline.projectId,
        from: new Date(Date.now() - 3600_000),
        to: new Date(Date.now() + 60_000),
        userId,
        limit: 10,
      });
      const summary = list.data[0];
      return summary ? { summary, trace: await getTrace(getClickHouse(), pipeline.projectId, summary.traceId) } : null;
    },
    (value) => value?.summary.spanCount === spanCount && value.trace?.spans.length === spanCount,
  );
  if (!stored?.trace) throw new Error("trace not stored");
  return { summary: stored.summary, spans: stored.trace.spans };
}

describe("Vercel AI SDK 7 with @ai-sdk/otel", () => {
  it("stores the default GenAI shape: invoke_agent → step → chat, usage counted once", async () => {
    const telemetry = new OpenTelemetry({ tracer: provider.getTracer("ai"), runtimeContext: true });
    const { summary, spans } = await generateAndRead(telemetry, "user-42", 3);

    const agent = spans.find((span) => span.parentSpanId === null);
    const step = spans.find((span) => span.parentSpanId === agent?.spanId);
    const chat = spans.find((span) => span.parentSpanId === step?.spanId);
    expect(agent).toMatchObject({ name: "invoke_agent gpt-4o-mini", kind: "agent", usage: { isAggregate: true } });
    expect(agent?.attributes["gen_ai.agent.name"]).toBe("capital-lookup");
    expect(step?.name).toBe("step 1");
    expect(chat).toMatchObject({
      name: "chat gpt-4o-mini",
      kind: "generation",
      provider: "openai",
      model: "gpt-4o-mini-2024-07-18",
      modelParameters: { temperature: 0.4 },
      usage: { inputTokens: FAKE_USAGE.prompt_tokens, outputTokens: FAKE_USAGE.completion_tokens, isAggregate: false },
      environment: "prod",
      serviceName: "travel-agent",
    });
    expect(chat?.conventions).toContain("otel-genai");
    expect(chat?.inputMessages).toMatchObject([
      { role: "system", content: "You are a travel assistant." },
      { role: "user", content: "What is the capital of France?" },
    ]);
    expect(chat?.outputMessages).toMatchObject([{ role: "assistant", content: FAKE_REPLY, finishReason: "stop" }]);
    expect(chat?.cost.total).toBeGreaterThan(0);
    // User and session come from `ai.settings.context.*` on the agent span and name the whole trace.
    expect(agent).toMatchObject({ userId: "user-42", sessionId: "chat-of-user-42" });
    expect(summary).toMatchObject({
      name: "invoke_agent gpt-4o-mini",
      userId: "user-42",
      sessionId: "chat-of-user-42",
      // The agent span repeats its child's usage; the trace total counts it once.
      totalTokens: FAKE_USAGE.total_tokens,
      errorCount: 0,
    });
    expect(summary.models).toContain("gpt-4o-mini-2024-07-18");
  });

  it("stores the LegacyOpenTelemetry shape: ai.generateText → ai.generateText.doGenerate", async () => {
    const { summary, spans } = await generateAndRead(
      new LegacyOpenTelemetry({ tracer: provider.getTracer("ai") }),
      "user-43",
      2,
    );

    const root = spans.find((span) => span.parentSpanId === null);
    const generation = spans.find((span) => span.parentSpanId === root?.spanId);
    expect(root).toMatchObject({ name: "ai.generateText", usage: { isAggregate: true } });
    expect(root?.attributes["ai.telemetry.functionId"]).toBe("capital-lookup");
    expect(generation).toMatchObject({
      name: "ai.generateText.doGenerate",
      kind: "generation",
      // `ai.model.provider` says "openai.chat"; stored as the same provider id AI SDK 7 reports.
      provider: "openai",
      model: "gpt-4o-mini-2024-07-18",
      modelParameters: { temperature: 0.4 },
      usage: { inputTokens: FAKE_USAGE.prompt_tokens, outputTokens: FAKE_USAGE.completion_tokens },
      userId: "user-43",
      sessionId: "chat-of-user-43",
    });
    expect(generation?.conventions).toContain("vercel-ai");
    expect(generation?.inputMessages).toMatchObject([
      { role: "system", content: "You are a travel assistant." },
      { role: "user", content: "What is the capital of France?" },
    ]);
    expect(generation?.outputMessages).toMatchObject([{ role: "assistant", content: FAKE_REPLY }]);
    expect(summary).toMatchObject({
      name: "ai.generateText",
      userId: "user-43",
      sessionId: "chat-of-user-43",
      totalTokens: FAKE_USAGE.total_tokens,
    });
  });
});
