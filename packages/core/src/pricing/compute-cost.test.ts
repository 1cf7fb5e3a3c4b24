import { describe, expect, it } from "vitest";
import type { TUsageBuckets } from "../semconv/normalized-span.js";
import { computeCost, findModelPrice, toPricingModelId } from "./compute-cost.js";
import { PRICE_TABLE_VERSION, type TPriceTable } from "./price-table.js";

const MILLION: TUsageBuckets = { uncachedInput: 1_000_000, cacheRead: 0, cacheWrite: 0, output: 0, reasoning: 0 };

describe("findModelPrice", () => {
  it("matches dated snapshots to their family without confusing mini and full models", () => {
    expect(findModelPrice("gpt-4o-2024-08-06", "openai")?.id).toBe("gpt-4o");
    expect(findModelPrice("gpt-4o-mini-2024-07-18", "openai")?.id).toBe("gpt-4o-mini");
    expect(findModelPrice("gpt-4.1-nano", null)?.id).toBe("gpt-4.1-nano");
    expect(findModelPrice("o4-mini", "openai")?.id).toBe("o4-mini");
  });

  it("strips routing prefixes (OpenRouter-style paths, Gemini's models/, Bedrock ids)", () => {
    expect(toPricingModelId("us.anthropic.claude-3-7-sonnet-20250219-v1:0")).toBe("claude-3-7-sonnet-20250219-v1:0");
    expect(findModelPrice("models/gemini-2.5-flash", "gcp.gemini")?.id).toBe("gemini-2.5-flash");
    expect(findModelPrice("us.anthropic.claude-sonnet-4-20250514-v1:0", "aws.bedrock")?.id).toBe("claude-sonnet-4");
    expect(findModelPrice("openai/gpt-5", "openai")?.id).toBe("gpt-5");
  });

  it("is provider-aware: host-priced models need their host, unknown hosts are not priced", () => {
    expect(findModelPrice("llama-3.3-70b-versatile", "groq")?.id).toBe("llama-3.3-70b-versatile");
    expect(findModelPrice("llama-3.3-70b-versatile", null)).toBeNull();
    expect(findModelPrice("gpt-4o", "some-reseller")).toBeNull();
    expect(findModelPrice("gpt-4o", "azure.ai.openai")?.id).toBe("gpt-4o");
    expect(findModelPrice("claude-3-5-haiku-20241022", "openai")).toBeNull();
  });

  it("returns null for models it does not know", () => {
    expect(findModelPrice("my-finetune", "openai")).toBeNull();
  });
});

describe("computeCost", () => {
  it("prices each disjoint bucket at its own rate", () => {
    const cost = computeCost("claude-sonnet-4-5", {
      uncachedInput: 1000,
      cacheRead: 10_000,
      cacheWrite: 2000,
      output: 500,
      reasoning: 0,
    });
    // 1000*3 + 10000*0.3 + 2000*3.75 + 500*15, per 1M tokens
    expect(cost).toEqual({
      input: 0.003,
      cacheRead: 0.003,
      cacheWrite: 0.0075,
      output: 0.0075,
      reasoning: 0,
      total: 0.021,
      currency: "USD",
      source: "computed",
      priceVersion: PRICE_TABLE_VERSION,
    });
  });

  it("prices reasoning at the output rate unless the table says otherwise", () => {
    const reasoning = { ...MILLION, uncachedInput: 0, reasoning: 1_000_000 };
    expect(computeCost("o3", reasoning).reasoning).toBe(8);
    const table: TPriceTable = {
      version: "test-1",
      currency: "USD",
      models: [
        {
          id: "m",
          pattern: "^m$",
          providers: ["openai"],
          input: 1,
          output: 2,
          cacheRead: 0.5,
          cacheWrite: 1,
          reasoning: 3,
        },
      ],
    };
    expect(computeCost("m", reasoning, table)).toMatchObject({ reasoning: 3, total: 3, priceVersion: "test-1" });
  });

  it("reports no cost for an unpriced or missing model", () => {
    expect(computeCost("unknown-model", MILLION)).toMatchObject({ source: "none", total: null });
    expect(computeCost(null, MILLION).source).toBe("none");
  });
});
