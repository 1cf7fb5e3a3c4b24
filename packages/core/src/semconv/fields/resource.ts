import type { TOtlpAttributes } from "../../otlp-types.js";
import { toText } from "../internal/any-value.js";

/** Longest resource attribute value kept on a span, in UTF-16 characters; a longer one is cut to it. */
export const RESOURCE_VALUE_MAX_CHARS = 4096;
/** Resource attributes kept on a span, keys and values together, in characters; attributes past it are dropped. */
export const RESOURCE_ATTRIBUTES_MAX_CHARS = 16_384;
/** Set among a span's resource attributes when some were cut or dropped: which, and how long they were. */
export const RESOURCE_TRUNCATED_ATTRIBUTE = "spanlens.resource_truncated";

const MARKER_MAX_CHARS = 1024;
const MARKER_MAX_NAMES = 20;

/** Per decoded resource (the decoders share one object between its spans): its attributes as stored. */
const stored = new WeakMap<TOtlpAttributes, Record<string, string>>();

/**
 * A span's resource attributes as text, within bounds. They are the one part of a request
 * copied onto every span it holds, so an export of 2,000 spans under a resource of 1 MB
 * became 2 GB of rows and took the worker down (with its heap bound) on every delivery of
 * that one request. A value past {@link RESOURCE_VALUE_MAX_CHARS} is cut to it, attributes
 * past {@link RESOURCE_ATTRIBUTES_MAX_CHARS} in all are dropped, and
 * {@link RESOURCE_TRUNCATED_ATTRIBUTE} names what was cut. Common resources (service,
 * host, process, Kubernetes, SDK) take a few hundred characters to a few thousand.
 *
 * Converted once per resource and shared by its spans: the result must not be changed.
 */
export function resourceAttributesOf(resource: TOtlpAttributes): Record<string, string> {
  const known = stored.get(resource);
  if (known) return known;
  const record: Record<string, string> = {};
  const cut: string[] = [];
  const dropped: string[] = [];
  let total = 0;
  for (const [key, value] of Object.entries(resource)) {
    const text = toText(value);
    if (text === null) continue;
    const kept = text.length > RESOURCE_VALUE_MAX_CHARS ? cutAt(text, RESOURCE_VALUE_MAX_CHARS) : text;
    if (total + key.length + kept.length > RESOURCE_ATTRIBUTES_MAX_CHARS) {
      dropped.push(key);
      continue;
    }
    if (kept !== text) cut.push(`${key} (${text.length})`);
    total += key.length + kept.length;
    record[key] = kept;
  }
  if (cut.length > 0 || dropped.length > 0) record[RESOURCE_TRUNCATED_ATTRIBUTE] = describe(cut, dropped);
  stored.set(resource, record);
  return record;
}

/** The first `length` characters, one fewer if that would split a surrogate pair. */
function cutAt(text: string, length: number): string {
  const last = text.charCodeAt(length - 1);
  return text.slice(0, last >= 0xd800 && last <= 0xdbff ? length - 1 : length);
}

function describe(cut: string[], dropped: string[]): string {
  const parts: string[] = [];
  if (cut.length > 0) parts.push(`cut to ${RESOURCE_VALUE_MAX_CHARS} characters: ${listed(cut)}`);
  if (dropped.length > 0)
    parts.push(`dropped past ${RESOURCE_ATTRIBUTES_MAX_CHARS} characters in all: ${listed(dropped)}`);
  return cutAt(parts.join("; "), MARKER_MAX_CHARS);
}

function listed(names: string[]): string {
  const shown = names.slice(0, MARKER_MAX_NAMES).join(", ");
  return names.length > MARKER_MAX_NAMES ? `${shown} and ${names.length - MARKER_MAX_NAMES} more` : shown;
}
