/** Langfuse SDK attributes (`langfuse.observation.*`, `langfuse.trace.*`), OTel based since SDK 3. */

import { isRecord, toNumber, toStringArray, toStructured, toText } from "../internal/any-value.js";
import type { AttributeReader } from "../internal/attribute-reader.js";
import { createMessage, createToolCall, textFromContent } from "../internal/records.js";
import type { TMessage, TSpanKind, TToolCall } from "../normalized-span.js";

/** `span` and `event` are Langfuse's defaults, not a statement about the span, so they do not win. */
export const LANGFUSE_KINDS: Record<string, TSpanKind> = {
  generation: "generation",
  embedding: "embedding",
  retriever: "retrieval",
  tool: "tool",
  agent: "agent",
  chain: "chain",
  evaluator: "evaluator",
  guardrail: "guardrail",
};

function parseOpenAiToolCalls(value: unknown): TToolCall[] {
  if (!Array.isArray(value)) return [];
  return value
    .filter(isRecord)
    .map((call) => {
      const fn = isRecord(call.function) ? call.function : call;
      return createToolCall(call.id, fn.name, fn.arguments);
    })
    .filter((call): call is TToolCall => call !== null);
}

/** Langfuse inputs are whatever the caller logged; they are messages only when shaped like chat messages. */
export function parseChatMessages(value: unknown): TMessage[] | null {
  const structured = toStructured(value);
  const list = !isRecord(structured)
    ? structured
    : Array.isArray(structured.messages)
      ? structured.messages
      : typeof structured.role === "string"
        ? [structured]
        : null;
  if (!Array.isArray(list) || list.length === 0) return null;
  if (!list.every((item) => isRecord(item) && typeof item.role === "string")) return null;
  return list.filter(isRecord).map((item) =>
    createMessage({
      role: toText(item.role),
      texts: textFromContent(item.content),
      toolCalls: parseOpenAiToolCalls(item.tool_calls),
      toolCallId: toText(item.tool_call_id),
    }),
  );
}

function readChatMessages(reader: AttributeReader, key: string): TMessage[] | null {
  const messages = parseChatMessages(reader.get(key));
  if (messages !== null) reader.consume(key);
  return messages;
}

export function readLangfuseInputMessages(reader: AttributeReader): TMessage[] | null {
  return readChatMessages(reader, "langfuse.observation.input");
}

export function readLangfuseOutputMessages(reader: AttributeReader): TMessage[] | null {
  return readChatMessages(reader, "langfuse.observation.output");
}

export type TTokenBucket = "input" | "output" | "total" | "cacheRead" | "cacheWrite" | "reasoning";

/** Langfuse detail keys are free-form (`input_cached_tokens`, `cache_read_input_tokens`, `output_reasoning`…). */
export function classifyDetailKey(key: string): TTokenBucket | null {
  const lower = key.toLowerCase();
  if (/cache_read|cached|cache_hit/.test(lower)) return "cacheRead";
  if (/cache_creation|cache_write/.test(lower)) return "cacheWrite";
  if (lower.includes("reasoning")) return "reasoning";
  if (lower.startsWith("total")) return "total";
  if (lower.startsWith("input") || lower.startsWith("prompt")) return "input";
  if (lower.startsWith("output") || lower.startsWith("completion")) return "output";
  return null;
}

/** Sums a `usage_details`/`cost_details` map (JSON text or structured) into buckets; null when absent. */
export function readDetailBuckets(reader: AttributeReader, key: string): Partial<Record<TTokenBucket, number>> | null {
  const structured = toStructured(reader.get(key));
  if (!isRecord(structured)) return null;
  const buckets: Partial<Record<TTokenBucket, number>> = {};
  for (const [detailKey, raw] of Object.entries(structured)) {
    const bucket = classifyDetailKey(detailKey);
    const amount = toNumber(raw);
    if (bucket === null || amount === null) continue;
    buckets[bucket] = (buckets[bucket] ?? 0) + amount;
  }
  reader.consume(key);
  return buckets;
}

/** `langfuse.trace.tags`: a real array, a JSON array text, or comma-separated text. */
export function parseTags(value: unknown): string[] | null {
  const list = toStringArray(value);
  if (list !== null) return list.map((tag) => tag.trim()).filter((tag) => tag !== "");
  const text = toText(value);
  if (text === null) return null;
  return text
    .split(",")
    .map((tag) => tag.trim())
    .filter((tag) => tag !== "");
}
