import { OpenAIInstrumentation } from "@arizeai/openinference-instrumentation-openai";
import { context } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BatchSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";
import { getTrace } from "@spanlens/clickhouse";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  FAKE_EMBEDDING,
  FAKE_REPLY,
  FAKE_TOOL_CALL,
  FAKE_USAGE,
  startFakeOpenAi,
  type TFakeOpenAi,
} from "./fake-openai-server.js";
import { getClickHouse, startPipeline, type TPipeline, waitFor } from "./pipeline-harness.js";

let pipeline: TPipeline;
let fakeOpenAi: TFakeOpenAi;
let provider: TracerProvider;
let instrumentation: OpenAIInstrumentation;
let client: OpenAI;

beforeAll(async () => {
  pipeline = await startPipeline();
  fakeOpenAi = await startFakeOpenAi();
  // Instrumentations parent their spans through the active context, which needs a manager.
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  provider = new TracerProvider({
    resource: resourceFromAttributes({ "service.name": "support-bot" }),
    spanProcessors: [
      new BatchSpanProcessor({
        exporter: new OTLPTraceExporter({
          url: `${pipeline.baseUrl}/v1/traces`,
          headers: { Authorization: `Bearer ${pipeline.secretKey}` },
        }),
      }),
    ],
  });
  instrumentation = new OpenAIInstrumentation();
  instrumentation.setTracerProvider(provider);
  // ESM imports bypass the require hook, so the module is patched by hand as the README says.
  instrumentation.manuallyInstrument(OpenAI);
  client = new OpenAI({ apiKey: "sk-test-fake", baseURL: fakeOpenAi.baseUrl });
});

afterAll(async () => {
  instrumentation.disable();
  await provider.shutdown();
  context.disable();
  await fakeOpenAi.close();
  await pipeline.stop();
});

/** Runs `body` under a root span so the instrumented call is its child, flushes, and returns the stored trace. */
async function traced(expectedSpans: number, body: () => Promise<unknown>) {
  const tracer = provider.getTracer("support-bot");
  const traceId = await tracer.startActiveSpan("handle_ticket", async (root) => {
    await body();
    root.end();
    return root.spanContext().traceId;
  });
  await provider.forceFlush();
  const stored = await waitFor(
    () => getTrace(getClickHouse(), pipeline.projectId, traceId),
    (value) => (value?.spans.length ?? 0) === expectedSpans,
  );
  const spans = stored?.spans ?? [];
  const root = spans.find((span) => span.parentSpanId === null);
  const child = spans.find((span) => span.parentSpanId !== null);
  expect(root?.name).toBe("handle_ticket");
  expect(child?.parentSpanId).toBe(root?.spanId);
  if (!child) throw new Error("no instrumented span stored");
  return child;
}

describe("OpenInference-instrumented official OpenAI client", () => {
  it("stores a plain chat completion as a generation with messages, usage and parameters", async () => {
    const generation = await traced(2, () =>
      client.chat.completions.create({
        model: "gpt-4o-mini",
        temperature: 0.3,
        max_tokens: 64,
        messages: [
          { role: "system", content: "You answer geography questions." },
          { role: "user", content: "What is the capital of France?" },
        ],
      }),
    );

    expect(generation).toMatchObject({
      name: "OpenAI Chat Completions",
      kind: "generation",
      provider: "openai",
      // OpenInference overrides the requested model with the one the server answered.
      model: "gpt-4o-mini-2024-07-18",
      serviceName: "support-bot",
      usage: {
        inputTokens: FAKE_USAGE.prompt_tokens,
        outputTokens: FAKE_USAGE.completion_tokens,
        totalTokens: FAKE_USAGE.total_tokens,
      },
    });
    expect(generation.conventions).toContain("openinference");
    expect(generation.modelParameters).toMatchObject({ temperature: 0.3, max_tokens: 64 });
    expect(generation.inputMessages).toMatchObject([
      { role: "system", content: "You answer geography questions." },
      { role: "user", content: "What is the capital of France?" },
    ]);
    expect(generation.outputMessages).toMatchObject([{ role: "assistant", content: FAKE_REPLY }]);
    // The raw request and response JSON are kept alongside the parsed messages.
    expect(JSON.parse(generation.input ?? "null")).toMatchObject({ model: "gpt-4o-mini", temperature: 0.3 });
    expect(JSON.parse(generation.output ?? "null")).toMatchObject({ id: "chatcmpl-fake-1", usage: FAKE_USAGE });
    expect(generation.cost.total).toBeGreaterThan(0);
  });

  it("stores a streamed chat completion with the text assembled from the chunks", async () => {
    let streamedText = "";
    const generation = await traced(2, async () => {
      const stream = await client.chat.completions.create({
        model: "gpt-4o-mini",
        temperature: 0.7,
        stream: true,
        stream_options: { include_usage: true },
        messages: [{ role: "user", content: "What is the capital of France?" }],
      });
      for await (const chunk of stream) streamedText += chunk.choices[0]?.delta.content ?? "";
    });

    expect(streamedText).toBe(FAKE_REPLY);
    expect(fakeOpenAi.requests.at(-1)?.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    // Streaming spans keep the requested model: OpenInference does not read the chunks' model.
    expect(generation).toMatchObject({ kind: "generation", provider: "openai", model: "gpt-4o-mini" });
    expect(generation.modelParameters).toMatchObject({ temperature: 0.7 });
    expect(generation.inputMessages).toMatchObject([{ role: "user", content: "What is the capital of France?" }]);
    expect(generation.outputMessages).toMatchObject([{ role: "assistant", content: FAKE_REPLY }]);
    expect(generation.input).toContain('"stream":true');
    expect(generation.output).toBe(FAKE_REPLY);
  });

  it("stores a tool-call completion with the call's name and arguments", async () => {
    const generation = await traced(2, () =>
      client.chat.completions.create({
        model: "gpt-4o-mini",
        messages: [{ role: "user", content: "Weather in Paris?" }],
        tools: [
          {
            type: "function",
            function: {
              name: "get_weather",
              description: "Current weather for a city",
              parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
            },
          },
        ],
      }),
    );

    expect(generation.kind).toBe("generation");
    expect(generation.toolCalls).toEqual([
      { id: FAKE_TOOL_CALL.id, name: FAKE_TOOL_CALL.name, arguments: FAKE_TOOL_CALL.arguments },
    ]);
    expect(generation.outputMessages).toMatchObject([
      {
        role: "assistant",
        toolCalls: [{ id: FAKE_TOOL_CALL.id, name: FAKE_TOOL_CALL.name, arguments: FAKE_TOOL_CALL.arguments }],
      },
    ]);
    expect(generation.usage).toMatchObject({ inputTokens: FAKE_USAGE.prompt_tokens, totalTokens: 30 });
  });

  it("stores an embeddings call as an embedding span", async () => {
    let vector: number[] = [];
    const embedding = await traced(2, async () => {
      const response = await client.embeddings.create({
        model: "text-embedding-3-small",
        input: "How do I reset my password?",
      });
      vector = response.data[0]?.embedding ?? [];
    });

    expect(vector).toEqual(FAKE_EMBEDDING);
    expect(embedding).toMatchObject({ kind: "embedding", provider: "openai", model: "text-embedding-3-small" });
    expect(embedding.input).toContain("How do I reset my password?");
  });
});
