import { FIELD_KEYS } from "../field-keys.js";
import { isRecord, toStringRecord, toStructured, toText } from "../internal/any-value.js";
import type { AttributeReader } from "../internal/attribute-reader.js";
import type { TModelParameterValue, TPromptReference } from "../normalized-span.js";

function toParameterValue(value: unknown): TModelParameterValue | null {
  if (typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number") return Number.isFinite(value) ? value : null;
  if (Array.isArray(value) && value.every((item) => typeof item === "string")) return value;
  return toText(value);
}

function addParameter(target: Record<string, TModelParameterValue>, name: string, value: unknown): void {
  if (name in target) return;
  const parameter = toParameterValue(value);
  if (parameter !== null) target[name] = parameter;
}

/** Each parameter with its attribute key, built once rather than for every span. */
const GEN_AI_REQUEST_PARAMETER_KEYS = FIELD_KEYS.genAiRequestParameters.map(
  (name) => [name, `gen_ai.request.${name}`] as const,
);

/**
 * Merges every parameter source, earlier sources winning per parameter: a span with
 * `gen_ai.request.temperature` and `llm.invocation_parameters` keeps both sets of settings.
 */
export function readModelParameters(reader: AttributeReader): Record<string, TModelParameterValue> {
  const parameters: Record<string, TModelParameterValue> = {};
  for (const [name, key] of GEN_AI_REQUEST_PARAMETER_KEYS) {
    const value = reader.get(key);
    if (value === undefined) continue;
    reader.consume(key);
    addParameter(parameters, name, value);
  }
  for (const key of FIELD_KEYS.jsonModelParameters) {
    const structured = toStructured(reader.get(key));
    if (!isRecord(structured)) continue;
    // Invocation parameters are often the whole request (model, tools with their JSON
    // schemas, stream flags): only sampling settings are parameters. When anything else
    // was in there, the raw value stays in `attributes` so nothing is lost.
    const entries = Object.entries(structured);
    for (const [name, value] of entries) {
      if (!NON_PARAMETER_REQUEST_KEYS.has(name)) addParameter(parameters, name, value);
    }
    if (entries.every(([name]) => !NON_PARAMETER_REQUEST_KEYS.has(name))) reader.consume(key);
  }
  const topK = reader.get("reranker.top_k");
  if (topK !== undefined) {
    reader.consume("reranker.top_k");
    addParameter(parameters, "top_k", topK);
  }
  return parameters;
}

const NON_PARAMETER_REQUEST_KEYS = new Set([
  "model",
  "messages",
  "input",
  "prompt",
  "tools",
  "tool_choice",
  "functions",
  "function_call",
  "stream",
  "stream_options",
  "user",
]);

/** Prompt template reference, each part first-match; null when the span names no prompt. */
export function readPrompt(reader: AttributeReader): TPromptReference | null {
  const keys = FIELD_KEYS.prompt;
  const prompt: TPromptReference = {
    name: reader.takeText(keys.name),
    version: reader.takeText(keys.version),
    template: reader.takeText(keys.template),
    variables: reader.takeFirst(keys.variables, toStringRecord) ?? {},
  };
  const isEmpty = !prompt.name && !prompt.version && !prompt.template && Object.keys(prompt.variables).length === 0;
  return isEmpty ? null : prompt;
}
