import { readGenAiInputMessages, readGenAiOutputMessages } from "../conventions/gen-ai.js";
import { readLegacyCompletionMessages, readLegacyPromptMessages } from "../conventions/gen-ai-legacy.js";
import { readLangfuseInputMessages, readLangfuseOutputMessages } from "../conventions/langfuse.js";
import { readOpenInferenceInputMessages, readOpenInferenceOutputMessages } from "../conventions/openinference.js";
import { readVercelPromptMessages, readVercelResponseMessages } from "../conventions/vercel.js";
import { FIELD_KEYS } from "../field-keys.js";
import { toStringArray } from "../internal/any-value.js";
import type { AttributeReader } from "../internal/attribute-reader.js";
import type { TMessage, TSpanKind, TToolCall } from "../normalized-span.js";

type TMessageSource = (reader: AttributeReader) => TMessage[] | null;

const INPUT_MESSAGE_SOURCES: TMessageSource[] = [
  readGenAiInputMessages,
  readOpenInferenceInputMessages,
  readLegacyPromptMessages,
  readVercelPromptMessages,
  readLangfuseInputMessages,
];

const OUTPUT_MESSAGE_SOURCES: TMessageSource[] = [
  readGenAiOutputMessages,
  readOpenInferenceOutputMessages,
  readLegacyCompletionMessages,
  readVercelResponseMessages,
  readLangfuseOutputMessages,
];

function firstMessages(reader: AttributeReader, sources: TMessageSource[]): TMessage[] {
  for (const source of sources) {
    const messages = source(reader);
    if (messages !== null) return messages;
  }
  return [];
}

export function readInputMessages(reader: AttributeReader): TMessage[] {
  return firstMessages(reader, INPUT_MESSAGE_SOURCES);
}

/** Span-level `gen_ai.response.finish_reasons` fill in messages that carry none, by position. */
export function readOutputMessages(reader: AttributeReader): TMessage[] {
  const messages = firstMessages(reader, OUTPUT_MESSAGE_SOURCES);
  const finishReasons = toStringArray(reader.get("gen_ai.response.finish_reasons"));
  if (finishReasons === null || messages.length === 0) return messages;
  reader.consume("gen_ai.response.finish_reasons");
  return messages.map((message, position) => {
    const finishReason = finishReasons[position];
    return message.finishReason || !finishReason ? message : { ...message, finishReason };
  });
}

/**
 * Tool calls the model asked for (from output messages); on a tool span, the one call it
 * executed, so "which tools ran" is one query whichever convention described it.
 */
export function readToolCalls(
  reader: AttributeReader,
  context: { kind: TSpanKind; name: string; input: string | null; outputMessages: TMessage[] },
): TToolCall[] {
  const requested = context.outputMessages.flatMap((message) => message.toolCalls ?? []);
  if (context.kind !== "tool") return requested;
  const name = reader.takeText(FIELD_KEYS.toolName) ?? context.name;
  const id = reader.takeText(FIELD_KEYS.toolCallId);
  return [{ id, name, arguments: context.input }, ...requested];
}
