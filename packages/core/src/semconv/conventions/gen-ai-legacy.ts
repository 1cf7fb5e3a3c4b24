/** OTel GenAI legacy indexed attributes (`gen_ai.prompt.N.*`, `gen_ai.completion.N.*`), OpenLLMetry < 0.55. */

import type { AttributeReader } from "../internal/attribute-reader.js";
import { consumeGroups, groupIndexed, readIndexed, type TIndexedGroup } from "../internal/indexed.js";
import { createMessage, createToolCall, textFromContent } from "../internal/records.js";
import type { TMessage, TToolCall } from "../normalized-span.js";

function parseToolCalls(group: TIndexedGroup): TToolCall[] {
  return groupIndexed(group.fields, "tool_calls")
    .map((call) => createToolCall(call.fields.id, call.fields.name, call.fields.arguments))
    .filter((call): call is TToolCall => call !== null);
}

function parseIndexedMessage(group: TIndexedGroup): TMessage {
  const { role, content, tool_call_id: toolCallId, finish_reason: finishReason } = group.fields;
  return createMessage({
    role: typeof role === "string" ? role : null,
    texts: textFromContent(content),
    toolCalls: parseToolCalls(group),
    toolCallId: typeof toolCallId === "string" ? toolCallId : null,
    finishReason: typeof finishReason === "string" ? finishReason : null,
  });
}

function readIndexedMessages(reader: AttributeReader, prefix: string): TMessage[] | null {
  const groups = readIndexed(reader, prefix);
  if (groups.length === 0) return null;
  consumeGroups(reader, groups);
  return groups.map(parseIndexedMessage);
}

export function readLegacyPromptMessages(reader: AttributeReader): TMessage[] | null {
  return readIndexedMessages(reader, "gen_ai.prompt");
}

export function readLegacyCompletionMessages(reader: AttributeReader): TMessage[] | null {
  return readIndexedMessages(reader, "gen_ai.completion");
}
