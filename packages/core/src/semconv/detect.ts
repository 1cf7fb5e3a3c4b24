import type { AttributeReader } from "./internal/attribute-reader.js";
import type { TConvention } from "./normalized-span.js";

const LEGACY_GEN_AI = /^gen_ai\.(?:prompt|completion)\.\d+\./;
const OPENINFERENCE_KEYS =
  /^(?:openinference\.|llm\.(?:input_messages|output_messages|token_count|invocation_parameters|model_name|prompt_template)|retrieval\.documents\.|reranker\.|embedding\.|input\.value|output\.value|tag\.tags|annotations\.)/;
const OPENLLMETRY_KEYS = /^(?:traceloop\.|llm\.request\.type|llm\.usage\.|db\.vector\.)/;

const DETECTORS: ReadonlyArray<[TConvention, (key: string) => boolean]> = [
  ["spanlens", (key) => key.startsWith("spanlens.")],
  ["otel-genai", (key) => key.startsWith("gen_ai.") && !LEGACY_GEN_AI.test(key)],
  ["otel-genai-legacy", (key) => LEGACY_GEN_AI.test(key)],
  ["openinference", (key) => OPENINFERENCE_KEYS.test(key)],
  ["openllmetry", (key) => OPENLLMETRY_KEYS.test(key)],
  ["langfuse", (key) => key.startsWith("langfuse.")],
  ["vercel-ai", (key) => key.startsWith("ai.")],
];

/** Every convention with at least one attribute on the span: mixed spans list several. */
export function detectConventions(reader: AttributeReader): TConvention[] {
  const keys = reader.keys();
  return DETECTORS.filter(([, matches]) => keys.some(matches)).map(([convention]) => convention);
}
