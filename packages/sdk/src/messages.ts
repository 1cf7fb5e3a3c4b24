/** Chat messages in the OTel GenAI shape: `{ role, parts: [...] , finish_reason? }`. */

export type TGenAiPart =
  | { type: "text"; content: string }
  | { type: "tool_call"; id?: string; name: string; arguments?: unknown }
  | { type: "tool_call_response"; id?: string; response: unknown }
  | { type: string; [key: string]: unknown };

export interface TGenAiMessage {
  role: string;
  parts: TGenAiPart[];
  finish_reason?: string;
}

/** A message as most SDKs write it (OpenAI chat shape); converted to GenAI parts on the span. */
export interface TChatMessage {
  role: string;
  content?: unknown;
  name?: string;
  tool_call_id?: string;
  tool_calls?: ReadonlyArray<{ id?: string; type?: string; function?: { name?: string; arguments?: string } }>;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** Content that is a string or an array of typed parts (`{type:"text", text}`, images, …). */
function contentParts(content: unknown): TGenAiPart[] {
  if (content === null || content === undefined) return [];
  if (typeof content === "string") return content === "" ? [] : [{ type: "text", content }];
  if (!Array.isArray(content)) return [{ type: "text", content: JSON.stringify(content) }];
  return content.map((part): TGenAiPart => {
    if (typeof part === "string") return { type: "text", content: part };
    if (isRecord(part) && typeof part.text === "string") return { type: "text", content: part.text };
    if (isRecord(part) && typeof part.type === "string") return { ...part, type: part.type };
    return { type: "unknown", value: part };
  });
}

function isGenAiMessage(message: unknown): message is TGenAiMessage {
  return isRecord(message) && typeof message.role === "string" && Array.isArray(message.parts);
}

/** Converts one OpenAI-shaped (or already GenAI-shaped) message. */
export function toGenAiMessage(message: TChatMessage | TGenAiMessage, finishReason?: string | null): TGenAiMessage {
  if (isGenAiMessage(message)) return finishReason ? { ...message, finish_reason: finishReason } : message;
  const parts: TGenAiPart[] = [];
  if (message.role === "tool") {
    parts.push({
      type: "tool_call_response",
      ...(message.tool_call_id ? { id: message.tool_call_id } : {}),
      response: typeof message.content === "string" ? message.content : (message.content ?? null),
    });
  } else {
    parts.push(...contentParts(message.content));
  }
  for (const call of message.tool_calls ?? []) {
    parts.push({
      type: "tool_call",
      ...(call.id ? { id: call.id } : {}),
      name: call.function?.name ?? "unknown",
      arguments: call.function?.arguments ?? null,
    });
  }
  return { role: message.role, parts, ...(finishReason ? { finish_reason: finishReason } : {}) };
}

export function toGenAiMessages(messages: ReadonlyArray<TChatMessage | TGenAiMessage>): TGenAiMessage[] {
  return messages.map((message) => toGenAiMessage(message));
}
