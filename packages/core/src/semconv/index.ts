export { EVALUATION_EVENT_NAME, normalizeEvaluationLog } from "./evaluation.js";
export { deriveUsageBuckets } from "./fields/usage.js";
export {
  NORMALIZATION_ERROR_ATTRIBUTE,
  normalizeSpan,
  normalizeSpanOrKeep,
  type TNormalizeOptions,
} from "./normalize.js";
export * from "./normalized-span.js";
