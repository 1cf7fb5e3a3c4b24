import type { TAnyValue } from "../../otlp-types.js";
import type { AttributeReader } from "./attribute-reader.js";

/** One element of a flattened list: `prefix.N.rest` keys with `rest` as the field name. */
export interface TIndexedGroup {
  index: number;
  fields: Record<string, TAnyValue>;
  /** The full attribute keys this element was built from. */
  keys: string[];
}

/**
 * Regroups flattened list attributes (`llm.input_messages.0.message.role`, …) into an
 * array ordered by index. Gaps are closed: senders drop empty elements.
 */
export function groupIndexed(values: Record<string, TAnyValue>, prefix: string): TIndexedGroup[] {
  const byIndex = new Map<number, TIndexedGroup>();
  const head = `${prefix}.`;
  for (const [key, value] of Object.entries(values)) {
    if (!key.startsWith(head) || value === null) continue;
    const match = /^(\d+)\.(.+)$/.exec(key.slice(head.length));
    if (!match?.[1] || !match[2]) continue;
    const index = Number(match[1]);
    const group = byIndex.get(index) ?? { index, fields: {}, keys: [] };
    group.fields[match[2]] = value;
    group.keys.push(key);
    byIndex.set(index, group);
  }
  return [...byIndex.values()].sort((a, b) => a.index - b.index);
}

/** groupIndexed over a span's attributes; consumes the keys only when the caller uses the groups. */
export function readIndexed(reader: AttributeReader, prefix: string): TIndexedGroup[] {
  const keys = reader.keysWithPrefix(`${prefix}.`);
  // Most spans carry none of a given list: nothing to regroup.
  if (keys.length === 0) return [];
  const values: Record<string, TAnyValue> = {};
  for (const key of keys) {
    const value = reader.get(key);
    if (value !== undefined) values[key] = value;
  }
  return groupIndexed(values, prefix);
}

export function consumeGroups(reader: AttributeReader, groups: readonly TIndexedGroup[]): void {
  for (const group of groups) reader.consume(...group.keys);
}
