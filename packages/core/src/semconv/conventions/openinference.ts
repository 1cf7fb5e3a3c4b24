/** OpenInference (Arize Phoenix instrumentations): flattened `llm.*`, `retrieval.*`, `reranker.*` lists. */

import { toText } from "../internal/any-value.js";
import type { AttributeReader } from "../internal/attribute-reader.js";
import { consumeGroups, groupIndexed, readIndexed, type TIndexedGroup } from "../internal/indexed.js";
import { createDocument, createMessage, createToolCall } from "../internal/records.js";
import type { TMessage, TRetrievedDocument, TSpanKind, TToolCall } from "../normalized-span.js";

export const OPENINFERENCE_KINDS: Record<string, TSpanKind> = {
  LLM: "generation",
  EMBEDDING: "embedding",
  RETRIEVER: "retrieval",
  RERANKER: "rerank",
  TOOL: "tool",
  AGENT: "agent",
  CHAIN: "chain",
  GUARDRAIL: "guardrail",
  EVALUATOR: "evaluator",
  // PROMPT spans render a template: a processing step, which is what `chain` means here.
  PROMPT: "chain",
};

function parseToolCalls(fields: TIndexedGroup["fields"]): TToolCall[] {
  return groupIndexed(fields, "message.tool_calls")
    .map(({ fields: call }) =>
      createToolCall(call["tool_call.id"], call["tool_call.function.name"], call["tool_call.function.arguments"]),
    )
    .filter((call): call is TToolCall => call !== null);
}

/** `message.content`, or the text parts of multimodal `message.contents.K.message_content.*`. */
function parseTexts(fields: TIndexedGroup["fields"]): string[] {
  const content = toText(fields["message.content"]);
  if (content !== null) return [content];
  return groupIndexed(fields, "message.contents")
    .map(({ fields: part }) => toText(part["message_content.text"]))
    .filter((text): text is string => text !== null);
}

function parseMessage({ fields }: TIndexedGroup): TMessage {
  return createMessage({
    role: toText(fields["message.role"]),
    texts: parseTexts(fields),
    toolCalls: parseToolCalls(fields),
    toolCallId: toText(fields["message.tool_call_id"]),
  });
}

function readMessages(reader: AttributeReader, prefix: string): TMessage[] | null {
  const groups = readIndexed(reader, prefix);
  if (groups.length === 0) return null;
  consumeGroups(reader, groups);
  return groups.map(parseMessage);
}

export function readOpenInferenceInputMessages(reader: AttributeReader): TMessage[] | null {
  return readMessages(reader, "llm.input_messages");
}

export function readOpenInferenceOutputMessages(reader: AttributeReader): TMessage[] | null {
  return readMessages(reader, "llm.output_messages");
}

/** Documents under `<prefix>.N.document.{id,content,score,metadata}`. */
export function readOpenInferenceDocuments(reader: AttributeReader, prefix: string): TRetrievedDocument[] | null {
  const groups = readIndexed(reader, prefix);
  if (groups.length === 0) return null;
  consumeGroups(reader, groups);
  return groups.map(({ fields }, position) =>
    createDocument(
      {
        id: fields["document.id"],
        content: fields["document.content"],
        score: fields["document.score"],
        metadata: fields["document.metadata"],
      },
      position + 1,
    ),
  );
}

export function readRetrievalDocuments(reader: AttributeReader): TRetrievedDocument[] | null {
  return readOpenInferenceDocuments(reader, "retrieval.documents");
}

export function readRerankerInputDocuments(reader: AttributeReader): TRetrievedDocument[] | null {
  return readOpenInferenceDocuments(reader, "reranker.input_documents");
}

export function readRerankerOutputDocuments(reader: AttributeReader): TRetrievedDocument[] | null {
  return readOpenInferenceDocuments(reader, "reranker.output_documents");
}
