/** OpenLLMetry / Traceloop SDK: `traceloop.*` decorators and vector-db result attributes and events. */
import type { TOtlpSpanEvent } from "../../otlp-types.js";
import type { AttributeReader } from "../internal/attribute-reader.js";
import { consumeGroups, readIndexed } from "../internal/indexed.js";
import { createDocument } from "../internal/records.js";
import type { TRetrievedDocument, TSpanKind } from "../normalized-span.js";

export const TRACELOOP_KINDS: Record<string, TSpanKind> = {
  workflow: "chain",
  task: "chain",
  agent: "agent",
  tool: "tool",
};

export const LLM_REQUEST_TYPE_KINDS: Record<string, TSpanKind> = {
  chat: "generation",
  completion: "generation",
  embedding: "embedding",
  rerank: "rerank",
};

/** `db.vector.query.result.{i}.{id,score,metadata,document}`; a distance is not a score, so it goes to metadata. */
export function readVectorQueryResults(reader: AttributeReader): TRetrievedDocument[] | null {
  const groups = readIndexed(reader, "db.vector.query.result");
  if (groups.length === 0) return null;
  consumeGroups(reader, groups);
  return groups.map(({ fields }, position) => {
    const document = createDocument(
      { id: fields.id, content: fields.document ?? fields.content, score: fields.score, metadata: fields.metadata },
      position + 1,
    );
    if (fields.distance !== undefined) document.metadata.distance = String(fields.distance);
    return document;
  });
}

/** `db.query.result` span events, one per document; the events themselves stay in `events`. */
export function readQueryResultEvents(events: readonly TOtlpSpanEvent[]): TRetrievedDocument[] | null {
  const results = events.filter((event) => event.name === "db.query.result");
  if (results.length === 0) return null;
  return results.map(({ attributes }, position) => {
    const document = createDocument(
      {
        id: attributes["db.query.result.id"],
        content: attributes["db.query.result.document"],
        score: attributes["db.query.result.score"],
        metadata: attributes["db.query.result.metadata"],
      },
      position + 1,
    );
    const distance = attributes["db.query.result.distance"];
    if (distance !== undefined && distance !== null) document.metadata.distance = String(distance);
    return document;
  });
}
