import type { TMessage, TRetrievedDocument, TToolCall } from "../normalized-span.js";
import { isRecord, stringifyValue, toNonEmptyText, toNumber, toStringRecord, toText } from "./any-value.js";

interface TMessageDraft {
  role: string | null;
  texts: string[];
  toolCalls?: TToolCall[];
  toolCallId?: string | null;
  finishReason?: string | null;
  otherParts?: unknown[];
}

/** Builds a message, leaving optional fields out when the wire had nothing for them. */
export function createMessage(draft: TMessageDraft): TMessage {
  const message: TMessage = {
    role: draft.role ?? "unknown",
    content: draft.texts.length > 0 ? draft.texts.join("\n") : null,
  };
  if (draft.toolCalls && draft.toolCalls.length > 0) message.toolCalls = draft.toolCalls;
  if (draft.toolCallId) message.toolCallId = draft.toolCallId;
  if (draft.finishReason) message.finishReason = draft.finishReason;
  if (draft.otherParts && draft.otherParts.length > 0) message.otherParts = stringifyValue(draft.otherParts);
  return message;
}

export function createToolCall(id: unknown, name: unknown, args: unknown): TToolCall | null {
  const toolName = toNonEmptyText(name);
  if (toolName === null) return null;
  return { id: toNonEmptyText(id), name: toolName, arguments: toText(args) };
}

interface TDocumentDraft {
  id?: unknown;
  content?: unknown;
  score?: unknown;
  metadata?: unknown;
}

export function createDocument(draft: TDocumentDraft, rank: number): TRetrievedDocument {
  return {
    id: toNonEmptyText(draft.id),
    content: toText(draft.content),
    score: toNumber(draft.score),
    metadata: toStringRecord(draft.metadata) ?? {},
    rank,
  };
}

/** Text of a content field that is either a string or an array of typed parts. */
export function textFromContent(content: unknown): string[] {
  if (content === null || content === undefined) return [];
  if (!Array.isArray(content)) {
    const text = toText(content);
    return text === null ? [] : [text];
  }
  const texts: string[] = [];
  for (const part of content) {
    if (typeof part === "string") texts.push(part);
    else if (isRecord(part) && typeof part.text === "string") texts.push(part.text);
    else if (isRecord(part) && part.type === "text" && typeof part.content === "string") texts.push(part.content);
  }
  return texts;
}
