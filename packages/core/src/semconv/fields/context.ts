import type { TOtlpAttributes } from "../../otlp-types.js";
import { parseTags } from "../conventions/langfuse.js";
import { FIELD_KEYS } from "../field-keys.js";
import { toNonEmptyText, toStringRecord, toText } from "../internal/any-value.js";
import type { AttributeReader } from "../internal/attribute-reader.js";

export interface TContextFields {
  sessionId: string | null;
  userId: string | null;
  tags: string[];
  metadata: Record<string, string>;
  environment: string | null;
  release: string | null;
  serviceName: string | null;
}

/** Tags are a set: every source contributes (deduplicated, in order of first appearance). */
function readTags(reader: AttributeReader): string[] {
  const tags = new Set<string>();
  for (const key of FIELD_KEYS.tags) {
    const parsed = parseTags(reader.get(key));
    if (parsed === null) continue;
    reader.consume(key);
    for (const tag of parsed) tags.add(tag);
  }
  return [...tags];
}

function addMetadata(metadata: Record<string, string>, name: string, value: unknown): void {
  const text = toText(value);
  if (name !== "" && text !== null && !(name in metadata)) metadata[name] = text;
}

/** Runs after the id and tag mappings, so keys they consumed (`…metadata.userId`) are not repeated. */
function readMetadata(reader: AttributeReader): Record<string, string> {
  const metadata: Record<string, string> = {};
  for (const source of FIELD_KEYS.metadata) {
    if ("prefix" in source) {
      for (const key of reader.keysWithPrefix(source.prefix)) {
        if (reader.isConsumed(key)) continue;
        reader.consume(key);
        addMetadata(metadata, key.slice(source.prefix.length), reader.get(key));
      }
    } else {
      const record = toStringRecord(reader.get(source.json));
      if (record === null) continue;
      reader.consume(source.json);
      for (const [name, value] of Object.entries(record)) addMetadata(metadata, name, value);
    }
  }
  return metadata;
}

/** Span attribute first, then the resource, per key in table order (`deployment.environment.name` can be either). */
function readSpanOrResource(
  reader: AttributeReader,
  resource: TOtlpAttributes,
  keys: readonly string[],
): string | null {
  for (const key of keys) {
    const fromSpan = reader.takeText([key]);
    if (fromSpan !== null) return fromSpan;
    const fromResource = toNonEmptyText(resource[key]);
    if (fromResource !== null) return fromResource;
  }
  return null;
}

export function readContext(reader: AttributeReader, resource: TOtlpAttributes): TContextFields {
  const sessionId = reader.takeText(FIELD_KEYS.sessionId);
  const userId = reader.takeText(FIELD_KEYS.userId);
  const tags = readTags(reader);
  return {
    sessionId,
    userId,
    tags,
    metadata: readMetadata(reader),
    environment: readSpanOrResource(reader, resource, FIELD_KEYS.environment),
    release: readSpanOrResource(reader, resource, FIELD_KEYS.release),
    serviceName: toNonEmptyText(resource["service.name"]),
  };
}
