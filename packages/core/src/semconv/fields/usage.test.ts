import { describe, expect, it } from "vitest";
import type { TOtlpAttributes, TOtlpSpan } from "../../otlp-types.js";
import { normalizeSpan } from "../normalize.js";
import { deriveUsageBuckets } from "./usage.js";

function spanWith(attributes: TOtlpAttributes): TOtlpSpan {
  return {
    traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
    spanId: "00f067aa0ba902b7",
    parentSpanId: null,
    name: "llm call",
    kind: 1,
    startTimeUnixNano: "0",
    endTimeUnixNano: "0",
    attributes,
    events: [],
    links: [],
    status: { code: 0, message: "" },
    resource: {},
    scope: { name: "", version: "", attributes: {} },
  };
}

const NO_DETAILS = { totalTokens: null, cacheReadTokens: null, cacheWriteTokens: null, reasoningTokens: null };

describe("deriveUsageBuckets", () => {
  it("takes cache reads and writes out of input (OTel: input_tokens includes cached)", () => {
    const buckets = deriveUsageBuckets({
      ...NO_DETAILS,
      inputTokens: 1000,
      outputTokens: 50,
      cacheReadTokens: 600,
      cacheWriteTokens: 100,
    });
    expect(buckets).toEqual({ uncachedInput: 300, cacheRead: 600, cacheWrite: 100, output: 50, reasoning: 0 });
  });

  it("takes reasoning out of output (OpenAI style: completion tokens include reasoning)", () => {
    const buckets = deriveUsageBuckets({ ...NO_DETAILS, inputTokens: 10, outputTokens: 500, reasoningTokens: 320 });
    expect(buckets).toMatchObject({ output: 180, reasoning: 320 });
  });

  it("never goes below zero when a sender reports exclusive input counts", () => {
    const buckets = deriveUsageBuckets({ ...NO_DETAILS, inputTokens: 10, outputTokens: 5, cacheReadTokens: 4000 });
    expect(buckets.uncachedInput).toBe(0);
    expect(buckets.cacheRead).toBe(4000);
  });

  it("treats missing counts as zero", () => {
    const buckets = deriveUsageBuckets({ ...NO_DETAILS, inputTokens: null, outputTokens: null });
    expect(buckets).toEqual({ uncachedInput: 0, cacheRead: 0, cacheWrite: 0, output: 0, reasoning: 0 });
  });
});

describe("usage per convention", () => {
  it("reads OpenInference token details as subsets of prompt/completion", () => {
    const { usage } = normalizeSpan(
      spanWith({
        "openinference.span.kind": "LLM",
        "llm.token_count.prompt": 100,
        "llm.token_count.completion": 40,
        "llm.token_count.prompt_details.cache_read": 30,
        "llm.token_count.prompt_details.cache_write": 20,
        "llm.token_count.completion_details.reasoning": 25,
      }),
    );
    expect(usage).toMatchObject({
      totalTokens: 140,
      uncachedInput: 50,
      cacheRead: 30,
      cacheWrite: 20,
      output: 15,
      reasoning: 25,
    });
  });

  it("reads Vercel v5+ names (cachedInputTokens, reasoningTokens) and v4 names", () => {
    const v5 = normalizeSpan(
      spanWith({
        "ai.operationId": "ai.streamText.doStream",
        "ai.usage.inputTokens": 200,
        "ai.usage.outputTokens": 90,
        "ai.usage.cachedInputTokens": 150,
        "ai.usage.reasoningTokens": 60,
      }),
    );
    expect(v5.usage).toMatchObject({ uncachedInput: 50, cacheRead: 150, output: 30, reasoning: 60 });
    const v4 = normalizeSpan(spanWith({ "ai.usage.promptTokens": 7, "ai.usage.completionTokens": 3 }));
    expect(v4.usage).toMatchObject({ inputTokens: 7, outputTokens: 3, totalTokens: 10 });
  });

  it("reads the OpenLLMetry underscore cache key and older prompt/completion names", () => {
    const { usage } = normalizeSpan(
      spanWith({
        "gen_ai.usage.prompt_tokens": 80,
        "gen_ai.usage.completion_tokens": 8,
        "gen_ai.usage.cache_read_input_tokens": 64,
        "gen_ai.usage.cache_creation_input_tokens": 6,
      }),
    );
    expect(usage).toMatchObject({ uncachedInput: 10, cacheRead: 64, cacheWrite: 6, output: 8 });
  });

  it("sums Langfuse's disjoint usage_details back into inclusive counts", () => {
    const { usage } = normalizeSpan(
      spanWith({
        "langfuse.observation.usage_details": {
          input: 100,
          input_cache_creation: 50,
          input_cached_tokens: 200,
          output: 30,
          output_reasoning_tokens: 70,
        },
      }),
    );
    expect(usage).toMatchObject({
      inputTokens: 350,
      outputTokens: 100,
      uncachedInput: 100,
      cacheRead: 200,
      cacheWrite: 50,
      output: 30,
      reasoning: 70,
    });
  });

  it("marks usage on agent and chain spans as aggregate so trace totals skip it", () => {
    const agent = normalizeSpan(spanWith({ "gen_ai.operation.name": "invoke_agent", "gen_ai.usage.input_tokens": 5 }));
    const chat = normalizeSpan(spanWith({ "gen_ai.operation.name": "chat", "gen_ai.usage.input_tokens": 5 }));
    expect(agent.usage?.isAggregate).toBe(true);
    expect(chat.usage?.isAggregate).toBe(false);
  });

  it("treats counts that cannot be tokens (negative, past 2^53) as not reported, and rounds fractions", () => {
    const span = normalizeSpan(
      spanWith({
        "gen_ai.operation.name": "chat",
        "gen_ai.provider.name": "openai",
        "gen_ai.request.model": "gpt-4o",
        "gen_ai.usage.input_tokens": -1,
        "gen_ai.usage.output_tokens": 12.6,
        "gen_ai.usage.cache_read.input_tokens": 2 ** 64,
      }),
    );
    expect(span.usage).toMatchObject({
      inputTokens: null,
      outputTokens: 13,
      totalTokens: 13,
      cacheReadTokens: null,
      uncachedInput: 0,
      cacheRead: 0,
      output: 13,
    });
    // Priced from what is left: never a negative cost from a sentinel count.
    expect(span.cost.input ?? 0).toBe(0);
    expect(span.cost.total).toBeGreaterThan(0);
  });

  it("has no usage when every count is one that cannot be tokens", () => {
    expect(
      normalizeSpan(spanWith({ "gen_ai.usage.input_tokens": -1, "gen_ai.usage.output_tokens": -1 })).usage,
    ).toBeNull();
  });

  it("has no usage when no count is present", () => {
    expect(normalizeSpan(spanWith({ "gen_ai.operation.name": "chat" })).usage).toBeNull();
  });
});
