import { JUDGE_TEMPLATES } from "@spanlens/db";
import { describe, expect, it } from "vitest";
import { runDeterministicEvaluator } from "./deterministic-evaluators.js";
import { isTraceSampled, matchEvaluatorFilter } from "./filter-and-sampling.js";
import { parseJudgeReply, renderJudgePrompt } from "./llm-judge.js";
import type { TEvaluationTrace } from "./trace-view.js";

const trace: TEvaluationTrace = {
  traceId: "0af7651916cd43dd8448eb211c80319c",
  name: "answer_question",
  tags: ["domain:hr"],
  environment: "production",
  userId: "user-7",
  input: "How many vacation days do I get?",
  output: '{"answer": "25 days"}',
  context: ["Employees get 25 vacation days.", "Parking is free."],
  metadata: { reference: "25 days" },
  durationMs: 1200,
  costUsd: 0.004,
  retrievalTopScore: 0.82,
};

describe("built-in evaluators", () => {
  it.each([
    [{ type: "exact_match", field: "output", expected: '{"answer": "25 DAYS"}', caseSensitive: false }, true],
    [{ type: "contains", field: "output", substrings: ["sorry", "cannot"], mode: "none", caseSensitive: false }, true],
    [
      { type: "contains", field: "input", substrings: ["vacation", "salary"], mode: "all", caseSensitive: false },
      false,
    ],
    [{ type: "regex", field: "output", pattern: "\\d+ days", flags: "" }, true],
    [{ type: "json_valid", field: "output" }, true],
    [{ type: "json_valid", field: "input" }, false],
    [
      {
        type: "json_valid",
        field: "output",
        schema: { type: "object", required: ["answer", "sources"], properties: { answer: { type: "string" } } },
      },
      false,
    ],
    [{ type: "length", field: "output", unit: "words", max: 3 }, true],
    [{ type: "length", field: "output", unit: "characters", min: 30 }, false],
    [{ type: "latency_budget", maxMs: 1000 }, false],
    [{ type: "cost_budget", maxUsd: 0.01 }, true],
    [{ type: "retrieval_top_score", minScore: 0.9 }, false],
  ] as const)("%j → %s", (config, expected) => {
    expect(runDeterministicEvaluator(config as Parameters<typeof runDeterministicEvaluator>[0], trace).value).toBe(
      expected,
    );
  });

  it("says why a JSON Schema check failed", () => {
    const verdict = runDeterministicEvaluator(
      { type: "json_valid", field: "output", schema: { type: "object", required: ["sources"] } },
      trace,
    );
    expect(verdict.comment).toContain("sources");
  });
});

describe("filters and sampling", () => {
  it("names the field that did not match", () => {
    expect(matchEvaluatorFilter({ tags: ["domain:hr"], environment: "staging" }, trace)).toEqual({
      isMatch: false,
      reason: 'environment: expected "staging"',
    });
    expect(matchEvaluatorFilter({ traceName: "answer_question", userId: "user-7" }, trace)).toEqual({ isMatch: true });
  });

  it("samples deterministically from the trace id, close to the rate over many traces", () => {
    expect(isTraceSampled(trace.traceId, 0.3)).toBe(isTraceSampled(trace.traceId, 0.3));
    const ids = Array.from({ length: 4000 }, (_, index) => index.toString(16).padStart(32, "0"));
    const sampled = ids.filter((id) => isTraceSampled(id, 0.25)).length;
    expect(sampled / ids.length).toBeGreaterThan(0.22);
    expect(sampled / ids.length).toBeLessThan(0.28);
    expect(ids.every((id) => isTraceSampled(id, 1))).toBe(true);
    expect(ids.some((id) => isTraceSampled(id, 0))).toBe(false);
  });
});

describe("LLM judge prompt and reply", () => {
  it("fills the template from the trace and asks for the JSON verdict", () => {
    const prompt = renderJudgePrompt(
      { type: "llm_judge", template: "correctness", prompt: JUDGE_TEMPLATES.correctness, referenceKey: "reference" },
      trace,
    );
    expect(prompt).toContain("Question: How many vacation days do I get?");
    expect(prompt).toContain("Reference answer: 25 days");
    expect(prompt).toMatch(/Reply with a JSON object only/);
  });

  it("reads fenced or wrapped verdicts and rejects replies without a 0–1 score", () => {
    expect(parseJudgeReply('Sure! ```json\n{"score": "0.5", "reasoning": "half"}\n```')).toEqual({
      value: 0.5,
      comment: "half",
    });
    expect(() => parseJudgeReply("I think it is fine")).toThrow(/no JSON object/);
    expect(() => parseJudgeReply('{"score": 7}')).toThrow(/between 0 and 1/);
  });
});
