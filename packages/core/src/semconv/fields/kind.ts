import { GEN_AI_OPERATION_KINDS } from "../conventions/gen-ai.js";
import { LANGFUSE_KINDS } from "../conventions/langfuse.js";
import { OPENINFERENCE_KINDS } from "../conventions/openinference.js";
import { LLM_REQUEST_TYPE_KINDS, TRACELOOP_KINDS } from "../conventions/traceloop.js";
import { kindFromVercelOperation } from "../conventions/vercel.js";
import { FIELD_KEYS } from "../field-keys.js";
import { toText } from "../internal/any-value.js";
import type { AttributeReader } from "../internal/attribute-reader.js";
import { SPAN_KINDS, type TSpanKind } from "../normalized-span.js";

const KIND_KEYS = FIELD_KEYS.kind;

function isSpanKind(value: string): value is TSpanKind {
  return (SPAN_KINDS as readonly string[]).includes(value);
}

function fromTable(table: Record<string, TSpanKind>, normalize: (value: string) => string) {
  return (value: string): TSpanKind | null => table[normalize(value)] ?? null;
}

const lower = (value: string) => value.toLowerCase();

/** Each source in SEMCONV.md order with its vocabulary; values a source does not define do not win. */
const KIND_SOURCES: ReadonlyArray<[string, (value: string) => TSpanKind | null]> = [
  [KIND_KEYS.spanlens, (value) => (isSpanKind(value) && value !== "span" ? value : null)],
  [KIND_KEYS.langfuse, fromTable(LANGFUSE_KINDS, lower)],
  [KIND_KEYS.openinference, fromTable(OPENINFERENCE_KINDS, (value) => value.toUpperCase())],
  [KIND_KEYS.genAi, fromTable(GEN_AI_OPERATION_KINDS, lower)],
  [KIND_KEYS.traceloop, fromTable(TRACELOOP_KINDS, lower)],
  [KIND_KEYS.llmRequestType, fromTable(LLM_REQUEST_TYPE_KINDS, lower)],
  [KIND_KEYS.vercel, kindFromVercelOperation],
];

/**
 * Resolves the span kind, first match wins. The kind attributes are not consumed: they
 * also say which convention and which operation the span used, and `attributes` keeps that.
 */
export function resolveKind(reader: AttributeReader): TSpanKind {
  for (const [key, classify] of KIND_SOURCES) {
    const value = toText(reader.get(key));
    if (value === null) continue;
    const kind = classify(value);
    if (kind !== null) return kind;
  }
  if (reader.has("embedding.model_name")) return "embedding";
  if (reader.has("reranker.model_name")) return "rerank";
  return FIELD_KEYS.model.some((key) => reader.has(key)) ? "generation" : "span";
}
