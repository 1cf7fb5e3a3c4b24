export { EVALUATION_EVENT_NAME, normalizeEvaluationLog } from "./evaluation.js";
export { deriveUsageBuckets } from "./fields/usage.js";
export { normalizeSpan, type TNormalizeOptions } from "./normalize.js";
export * from "./normalized-span.js";
