export { EVALUATION_EVENT_NAME, normalizeEvaluationLog } from "./evaluation.js";
export {
  RESOURCE_ATTRIBUTES_MAX_CHARS,
  RESOURCE_TRUNCATED_ATTRIBUTE,
  RESOURCE_VALUE_MAX_CHARS,
  resourceAttributesOf,
} from "./fields/resource.js";
export { deriveUsageBuckets } from "./fields/usage.js";
export {
  NORMALIZATION_ERROR_ATTRIBUTE,
  normalizeSpan,
  normalizeSpanOrKeep,
  type TNormalizeOptions,
} from "./normalize.js";
export * from "./normalized-span.js";
