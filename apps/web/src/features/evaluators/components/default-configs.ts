/** A starting config per evaluator type for the editor; the server validates whatever is saved. */
export function defaultEvaluatorConfig(type: string, judgeTemplates: Record<string, string>): Record<string, unknown> {
  switch (type) {
    case "exact_match":
      return { type, field: "output", expected: "", caseSensitive: true };
    case "contains":
      return { type, field: "output", substrings: ["sorry"], mode: "none", caseSensitive: false };
    case "regex":
      return { type, field: "output", pattern: "\\d+ days", flags: "i" };
    case "json_valid":
      return { type, field: "output", schema: { type: "object", required: ["answer"] } };
    case "length":
      return { type, field: "output", unit: "words", min: 1, max: 200 };
    case "latency_budget":
      return { type, maxMs: 5000 };
    case "cost_budget":
      return { type, maxUsd: 0.01 };
    case "retrieval_top_score":
      return { type, minScore: 0.5 };
    default:
      return { type: "llm_judge", template: "faithfulness", prompt: judgeTemplates.faithfulness ?? "" };
  }
}
