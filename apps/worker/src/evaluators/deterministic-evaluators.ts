import type { TEvaluatorConfig } from "@spanlens/db";
import { Ajv } from "ajv";
import type { TEvaluationTrace } from "./trace-view.js";

/** An evaluator's verdict before it becomes a score. */
export interface TVerdict {
  /** Boolean checks pass/fail; the judge and measures give numbers. */
  value: boolean | number;
  comment: string;
}

type TDeterministicConfig = Exclude<TEvaluatorConfig, { type: "llm_judge" }>;

const ajv = new Ajv({ allErrors: true, strict: false });

const textOf = (trace: TEvaluationTrace, field: "input" | "output") => (field === "input" ? trace.input : trace.output);
const fold = (text: string, caseSensitive: boolean) => (caseSensitive ? text : text.toLowerCase());

/** Runs a built-in evaluator: pure functions of the trace, no I/O. */
export function runDeterministicEvaluator(config: TDeterministicConfig, trace: TEvaluationTrace): TVerdict {
  switch (config.type) {
    case "exact_match": {
      const text = textOf(trace, config.field).trim();
      const isMatch = fold(text, config.caseSensitive) === fold(config.expected.trim(), config.caseSensitive);
      return {
        value: isMatch,
        comment: isMatch ? "matches the expected text" : `${config.field} differs from the expected text`,
      };
    }
    case "contains": {
      const text = fold(textOf(trace, config.field), config.caseSensitive);
      const found = config.substrings.filter((substring) => text.includes(fold(substring, config.caseSensitive)));
      const value =
        config.mode === "any"
          ? found.length > 0
          : config.mode === "all"
            ? found.length === config.substrings.length
            : found.length === 0;
      return { value, comment: found.length > 0 ? `found: ${found.join(", ")}` : "none of the strings found" };
    }
    case "regex": {
      const isMatch = new RegExp(config.pattern, config.flags).test(textOf(trace, config.field));
      return {
        value: isMatch,
        comment: isMatch ? `matches /${config.pattern}/` : `does not match /${config.pattern}/`,
      };
    }
    case "json_valid": {
      let parsed: unknown;
      try {
        parsed = JSON.parse(textOf(trace, config.field));
      } catch (error) {
        return { value: false, comment: `not JSON: ${(error as Error).message}` };
      }
      if (!config.schema) return { value: true, comment: "valid JSON" };
      const validate = ajv.compile(config.schema);
      if (validate(parsed)) return { value: true, comment: "valid JSON matching the schema" };
      return { value: false, comment: `schema: ${ajv.errorsText(validate.errors)}` };
    }
    case "length": {
      const text = textOf(trace, config.field);
      const length = config.unit === "words" ? text.split(/\s+/).filter(Boolean).length : [...text].length;
      const isWithin =
        (config.min === undefined || length >= config.min) && (config.max === undefined || length <= config.max);
      return { value: isWithin, comment: `${length} ${config.unit}` };
    }
    case "latency_budget":
      return {
        value: trace.durationMs <= config.maxMs,
        comment: `${trace.durationMs} ms against a budget of ${config.maxMs} ms`,
      };
    case "cost_budget":
      return {
        value: trace.costUsd <= config.maxUsd,
        comment: `$${trace.costUsd.toFixed(6)} against a budget of $${config.maxUsd}`,
      };
    case "retrieval_top_score":
      if (trace.retrievalTopScore === null) return { value: false, comment: "no retrieved document with a score" };
      return {
        value: trace.retrievalTopScore >= config.minScore,
        comment: `top score ${trace.retrievalTopScore} against a threshold of ${config.minScore}`,
      };
  }
}
