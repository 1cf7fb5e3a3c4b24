import { SpanStatusCode } from "@opentelemetry/api";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { jsonAttribute, spanNamed, startInMemoryTracing } from "../test/in-memory.js";
import { withRequestContext } from "./baggage.js";
import { getCurrentSpanId, getCurrentTraceId } from "./ids.js";
import { inferKind, observe, step } from "./step.js";

let tracing: ReturnType<typeof startInMemoryTracing>;
beforeAll(() => {
  tracing = startInMemoryTracing();
});
afterAll(() => tracing.stop());
beforeEach(() => tracing.exporter.reset());

describe("step", () => {
  it("nests steps, records semantic attributes and the return value as output", async () => {
    const answer = await withRequestContext({ userId: "u-1", tags: ["domain:hr"] }, () =>
      step("rag.answer", { input: { question: "vacation?" } }, async () => {
        await step("rag.retrieve", async (span) => {
          span.setRetrieval({
            query: "vacation?",
            documents: [{ id: "hr-1#0", content: "25 days", score: 0.91, metadata: { source: "hr-1.md" } }],
          });
        });
        return step("llm.generate", async (span) => {
          span
            .setPrompt({ name: "rag-answer", version: "3", template: "Q: {{q}}", variables: { q: "vacation?" } })
            .setGeneration({
              provider: "openai",
              model: "gpt-4o-mini",
              parameters: { temperature: 0 },
              inputMessages: [{ role: "user", content: "Q: vacation?" }],
              output: "25 days",
              finishReason: "stop",
              usage: { inputTokens: 12, outputTokens: 3 },
            });
          return "25 days";
        });
      }),
    );
    expect(answer).toBe("25 days");

    const spans = await tracing.finishedSpans();
    const root = spanNamed(spans, "rag.answer");
    const retrieve = spanNamed(spans, "rag.retrieve");
    const generate = spanNamed(spans, "llm.generate");
    expect(retrieve.parentSpanContext?.spanId).toBe(root.spanContext().spanId);
    expect(generate.parentSpanContext?.spanId).toBe(root.spanContext().spanId);
    expect(root.attributes).toMatchObject({
      "input.value": '{"question":"vacation?"}',
      "output.value": "25 days",
      "user.id": "u-1",
      "tag.tags": ["domain:hr"],
    });
    expect(retrieve.attributes).toMatchObject({
      "gen_ai.operation.name": "retrieval",
      "gen_ai.retrieval.query.text": "vacation?",
    });
    expect(jsonAttribute(retrieve, "gen_ai.retrieval.documents")).toEqual([
      { id: "hr-1#0", content: "25 days", score: 0.91, metadata: { source: "hr-1.md" } },
    ]);
    expect(generate.attributes).toMatchObject({
      "spanlens.span.kind": "generation",
      "gen_ai.operation.name": "chat",
      "gen_ai.request.model": "gpt-4o-mini",
      "gen_ai.request.temperature": 0,
      "gen_ai.usage.input_tokens": 12,
      "gen_ai.prompt.name": "rag-answer",
      "llm.prompt_template.version": "3",
      "llm.prompt_template.template": "Q: {{q}}",
    });
    expect(jsonAttribute(generate, "llm.prompt_template.variables")).toEqual({ q: "vacation?" });
    expect(jsonAttribute(generate, "gen_ai.output.messages")).toEqual([
      { role: "assistant", parts: [{ type: "text", content: "25 days" }], finish_reason: "stop" },
    ]);
    expect(root.resource.attributes["service.name"]).toBe("sdk-test");
  });

  it("records an error with its context once, and marks the enclosing steps failed", async () => {
    const failing = step("rag.answer", () =>
      step("tool.lookup", async (span) => {
        span.setToolCall({ name: "lookup", arguments: { id: 7 } });
        const error = new RangeError("policy 7 not found");
        span.recordError(error, { policyId: 7, question: "parking?" });
        throw error;
      }),
    );
    await expect(failing).rejects.toThrow("policy 7 not found");

    const spans = await tracing.finishedSpans();
    const tool = spanNamed(spans, "tool.lookup");
    const root = spanNamed(spans, "rag.answer");
    expect(tool.status).toEqual({ code: SpanStatusCode.ERROR, message: "policy 7 not found" });
    const exceptions = tool.events.filter((event) => event.name === "exception");
    expect(exceptions).toHaveLength(1);
    expect(exceptions[0]?.attributes).toMatchObject({
      "exception.type": "RangeError",
      "exception.message": "policy 7 not found",
      "spanlens.error.context.policyId": "7",
      "spanlens.error.context.question": "parking?",
    });
    expect(tool.attributes).toMatchObject({ "gen_ai.tool.name": "lookup", "gen_ai.tool.call.arguments": '{"id":7}' });
    expect(root.status.code).toBe(SpanStatusCode.ERROR);
    expect(root.attributes["error.type"]).toBe("RangeError");
    expect(root.events.filter((event) => event.name === "exception")).toHaveLength(0);
  });

  it("keeps a streaming step open until its async generator is consumed, with the step active inside", async () => {
    const seen: (string | null)[] = [];
    const tokens = step("llm.stream", async function* () {
      seen.push(getCurrentSpanId());
      yield "Hello, ";
      await new Promise((resolve) => setTimeout(resolve, 5));
      seen.push(getCurrentSpanId());
      yield "world";
    });
    expect(await tracing.finishedSpans()).toHaveLength(0);
    let text = "";
    for await (const token of tokens) text += token;
    expect(text).toBe("Hello, world");

    const span = spanNamed(await tracing.finishedSpans(), "llm.stream");
    expect(seen).toEqual([span.spanContext().spanId, span.spanContext().spanId]);
    expect(span.attributes["output.value"]).toBe("Hello, world");
    expect(span.events.map((event) => event.name)).toEqual(["first_chunk"]);
    expect(span.endTime[0] * 1e3 + span.endTime[1] / 1e6).toBeGreaterThan(
      span.startTime[0] * 1e3 + span.startTime[1] / 1e6 + 4,
    );
  });

  it("ends a streaming step that fails mid-way with the error", async () => {
    const tokens = step("llm.stream", async function* () {
      yield "partial";
      throw new Error("connection reset");
    });
    const read = async () => {
      for await (const _token of tokens) {
        // consume
      }
    };
    await expect(read()).rejects.toThrow("connection reset");
    const span = spanNamed(await tracing.finishedSpans(), "llm.stream");
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
  });

  it("observe() wraps a function so each call is a step, and ids are readable inside", async () => {
    const retrieve = observe("rag.retrieve", {}, async (_span, query: string) => ({
      query,
      traceId: getCurrentTraceId(),
    }));
    const result = await retrieve("vpn");
    const span = spanNamed(await tracing.finishedSpans(), "rag.retrieve");
    expect(result.traceId).toBe(span.spanContext().traceId);
    expect(getCurrentTraceId()).toBeNull();
  });

  it("infers kinds from semantic step names", () => {
    expect(inferKind("rag.retrieve")).toBe("retrieval");
    expect(inferKind("rag.rerank")).toBe("rerank");
    expect(inferKind("llm.generate")).toBe("generation");
    expect(inferKind("tool.search_web")).toBe("tool");
    expect(inferKind("rag.answer")).toBe("span");
  });
});
