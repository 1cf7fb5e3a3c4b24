/** OTel GenAI semantic conventions, current experimental shape (`gen_ai.input.messages` etc.). */

import { isRecord, toStructured, toText } from "../internal/any-value.js";
import type { AttributeReader } from "../internal/attribute-reader.js";
import { createDocument, createMessage, createToolCall } from "../internal/records.js";
import type { TMessage, TRetrievedDocument, TSpanKind, TToolCall } from "../normalized-span.js";

export const GEN_AI_OPERATION_KINDS: Record<string, TSpanKind> = {
  chat: "generation",
  text_completion: "generation",
  generate_content: "generation",
  embeddings: "embedding",
  retrieval: "retrieval",
  execute_tool: "tool",
  invoke_agent: "agent",
  create_agent: "agent",
  invoke_workflow: "chain",
};

/** Parses one `{role, parts[], finish_reason}` message; `content` is accepted from pre-parts senders. */
export function parseGenAiMessage(raw: unknown): TMessage | null {
  if (!isRecord(raw)) return null;
  const texts: string[] = [];
  const toolCalls: TToolCall[] = [];
  const otherParts: unknown[] = [];
  let toolCallId: string | null = null;
  const parts = Array.isArray(raw.parts) ? raw.parts : [];
  for (const part of parts) {
    if (!isRecord(part)) continue;
    if (part.type === "text") {
      const text = toText(part.content);
      if (text !== null) texts.push(text);
    } else if (part.type === "tool_call") {
      const call = createToolCall(part.id, part.name, part.arguments);
      if (call) toolCalls.push(call);
    } else if (part.type === "tool_call_response") {
      toolCallId = toText(part.id);
      const response = toText(part.response);
      if (response !== null) texts.push(response);
    } else {
      otherParts.push(part);
    }
  }
  if (parts.length === 0) {
    const text = toText(raw.content);
    if (text !== null) texts.push(text);
  }
  return createMessage({
    role: toText(raw.role),
    texts,
    toolCalls,
    toolCallId,
    finishReason: toText(raw.finish_reason),
    otherParts,
  });
}

function parseGenAiMessages(value: unknown): TMessage[] | null {
  const structured = toStructured(value);
  if (!Array.isArray(structured)) return null;
  return structured.map(parseGenAiMessage).filter((message): message is TMessage => message !== null);
}

function parseSystemInstructions(value: unknown): TMessage | null {
  const structured = toStructured(value);
  if (structured === undefined || structured === null) return null;
  if (Array.isArray(structured)) return parseGenAiMessage({ role: "system", parts: structured });
  const text = toText(structured);
  return text === null ? null : createMessage({ role: "system", texts: [text] });
}

/** `gen_ai.system_instructions` (kept out of the messages by the spec) goes first as a system message. */
export function readGenAiInputMessages(reader: AttributeReader): TMessage[] | null {
  const messages = parseGenAiMessages(reader.get("gen_ai.input.messages"));
  const system = parseSystemInstructions(reader.get("gen_ai.system_instructions"));
  if (messages === null && system === null) return null;
  if (messages !== null) reader.consume("gen_ai.input.messages");
  if (system !== null) reader.consume("gen_ai.system_instructions");
  return [...(system ? [system] : []), ...(messages ?? [])];
}

export function readGenAiOutputMessages(reader: AttributeReader): TMessage[] | null {
  const messages = parseGenAiMessages(reader.get("gen_ai.output.messages"));
  if (messages !== null) reader.consume("gen_ai.output.messages");
  return messages;
}

/** `gen_ai.retrieval.documents` is `[{id, score}]`; content and metadata are taken when a sender adds them. */
export function readGenAiRetrievedDocuments(reader: AttributeReader): TRetrievedDocument[] | null {
  const structured = toStructured(reader.get("gen_ai.retrieval.documents"));
  if (!Array.isArray(structured)) return null;
  reader.consume("gen_ai.retrieval.documents");
  return structured.filter(isRecord).map((document, position) => createDocument(document, position + 1));
}
