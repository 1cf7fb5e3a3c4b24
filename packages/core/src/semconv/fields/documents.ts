import type { TOtlpSpanEvent } from "../../otlp-types.js";
import { readGenAiRetrievedDocuments } from "../conventions/gen-ai.js";
import {
  readRerankerInputDocuments,
  readRerankerOutputDocuments,
  readRetrievalDocuments,
} from "../conventions/openinference.js";
import { readQueryResultEvents, readVectorQueryResults } from "../conventions/traceloop.js";
import { FIELD_KEYS } from "../field-keys.js";
import type { AttributeReader } from "../internal/attribute-reader.js";
import type { TRetrievedDocument, TSpanKind } from "../normalized-span.js";

export interface TDocumentFields {
  retrievalQuery: string | null;
  retrievedDocuments: TRetrievedDocument[];
  rerankedDocuments: TRetrievedDocument[];
}

/**
 * Retrieval results, first source wins; a reranker's input documents are what it was
 * given to rank, so they fill `retrievedDocuments` when no retriever result is on the span.
 */
export function readDocuments(
  reader: AttributeReader,
  context: { kind: TSpanKind; input: string | null; events: readonly TOtlpSpanEvent[] },
): TDocumentFields {
  const retrievedDocuments =
    readRetrievalDocuments(reader) ??
    readGenAiRetrievedDocuments(reader) ??
    readRerankerInputDocuments(reader) ??
    readVectorQueryResults(reader) ??
    readQueryResultEvents(context.events) ??
    [];
  const rerankedDocuments = readRerankerOutputDocuments(reader) ?? [];
  // OpenInference retrievers put the query in `input.value`; it is the query, not a new source.
  const retrievalQuery =
    reader.takeText(FIELD_KEYS.retrievalQuery) ??
    (context.kind === "retrieval" || context.kind === "rerank" ? context.input : null);
  return { retrievalQuery, retrievedDocuments, rerankedDocuments };
}
