/** Vercel AI SDK telemetry: the legacy `ai.*` spans (SDK ≤ 6, `LegacyOpenTelemetry` in 7) and `ai.settings.context.*`. */

import { isRecord, toStructured, toText } from "../internal/any-value.js";
import type { AttributeReader } from "../internal/attribute-reader.js";
import { createMessage, createToolCall, textFromContent } from "../internal/records.js";
import type { TMessage, TSpanKind, TToolCall } from "../normalized-span.js";

/** Wrapper operations roll up their `doGenerate`/`doEmbed` children, so they are chains, not model calls. */
const WRAPPER_OPERATIONS = new Set([
  "ai.generateText",
  "ai.streamText",
  "ai.generateObject",
  "ai.streamObject",
  "ai.embed",
  "ai.embedMany",
]);

export function kindFromVercelOperation(operationId: string): TSpanKind | null {
  if (operationId.endsWith(".doGenerate") || operationId.endsWith(".doStream")) return "generation";
  if (operationId.endsWith(".doEmbed")) return "embedding";
  if (operationId === "ai.toolCall") return "tool";
  if (WRAPPER_OPERATIONS.has(operationId)) return "chain";
  return null;
}

/** v4 parts carry `args`/`result`, v5+ `input`/`output`. */
function parseContentPart(part: unknown, draft: { toolCalls: TToolCall[]; toolCallId: string | null }): void {
  if (!isRecord(part)) return;
  if (part.type === "tool-call") {
    const call = createToolCall(part.toolCallId, part.toolName, part.args ?? part.input);
    if (call) draft.toolCalls.push(call);
  } else if (part.type === "tool-result") {
    draft.toolCallId = toText(part.toolCallId);
  }
}

function parsePromptMessage(raw: unknown): TMessage | null {
  if (!isRecord(raw)) return null;
  const draft = { toolCalls: [] as TToolCall[], toolCallId: null as string | null };
  const texts = textFromContent(raw.content);
  if (Array.isArray(raw.content)) {
    for (const part of raw.content) {
      parseContentPart(part, draft);
      if (isRecord(part) && part.type === "tool-result") {
        const result = toText(part.result ?? part.output);
        if (result !== null) texts.push(result);
      }
    }
  }
  return createMessage({ role: toText(raw.role), texts, ...draft });
}

export function readVercelPromptMessages(reader: AttributeReader): TMessage[] | null {
  const structured = toStructured(reader.get("ai.prompt.messages"));
  if (!Array.isArray(structured)) return null;
  reader.consume("ai.prompt.messages");
  return structured.map(parsePromptMessage).filter((message): message is TMessage => message !== null);
}

function readResponseToolCalls(reader: AttributeReader): TToolCall[] {
  const structured = toStructured(reader.get("ai.response.toolCalls"));
  if (!Array.isArray(structured)) return [];
  reader.consume("ai.response.toolCalls");
  return structured
    .filter(isRecord)
    .map((call) => createToolCall(call.toolCallId, call.toolName, call.args ?? call.input))
    .filter((call): call is TToolCall => call !== null);
}

/** `ai.response.{text,toolCalls,finishReason}` as the one assistant message they describe. */
export function readVercelResponseMessages(reader: AttributeReader): TMessage[] | null {
  const text = toText(reader.get("ai.response.text"));
  const toolCalls = readResponseToolCalls(reader);
  if (text === null && toolCalls.length === 0) return null;
  if (text !== null) reader.consume("ai.response.text");
  const finishReason = reader.takeText(["ai.response.finishReason"]);
  return [createMessage({ role: "assistant", texts: text === null ? [] : [text], toolCalls, finishReason })];
}
