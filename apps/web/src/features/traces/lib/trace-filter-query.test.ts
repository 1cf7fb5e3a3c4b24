import { describe, expect, it } from "vitest";
import { formatScoreRange, parseScoreRange, ZTraceListQuery } from "./trace-filter-query";

describe("trace filter query", () => {
  it("parses score ranges in their three forms and round-trips them", () => {
    expect(parseScoreRange("confidence<0.5")).toEqual({ name: "confidence", max: 0.5 });
    expect(parseScoreRange("confidence>=0.8")).toEqual({ name: "confidence", min: 0.8 });
    expect(parseScoreRange("0.2<=answer relevance<0.5")).toEqual({ name: "answer relevance", min: 0.2, max: 0.5 });
    expect(parseScoreRange("confidence")).toBeNull();
    for (const text of ["confidence<0.5", "confidence>=0.8", "0.2<=relevance<0.5"]) {
      const range = parseScoreRange(text);
      expect(range && formatScoreRange(range)).toBe(text);
    }
  });

  it("reads repeated and single keys alike and names the bad field", () => {
    const parsed = ZTraceListQuery.parse({
      tags: "domain:hr",
      models: ["a", "b"],
      metadata: "tenant=acme=1",
      minCost: "0.5",
    });
    expect(parsed).toMatchObject({
      tags: ["domain:hr"],
      models: ["a", "b"],
      metadata: [{ key: "tenant", value: "acme=1" }],
    });
    expect(parsed.minCost).toBe(0.5);
    const bad = ZTraceListQuery.safeParse({ scores: "confidence~0.5", kinds: "llm" });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues.map((issue) => issue.path.join("."))).toEqual(["kinds", "scores"]);
  });
});
