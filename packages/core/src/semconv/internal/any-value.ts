/** Conversions between decoded OTLP AnyValues, JSON text and the normalized model's scalars. */

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
}

/** JSON.parse that returns undefined instead of throwing: wire JSON is often truncated. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * A value that may be JSON text or an already-structured AnyValue (OTel JS 3.x sends real
 * arrays and maps, 2.x-era clients send strings): returns the structure either way.
 */
export function toStructured(value: unknown): unknown {
  if (typeof value !== "string") return value;
  const trimmed = value.trim();
  if (!trimmed.startsWith("{") && !trimmed.startsWith("[")) return value;
  const parsed = parseJson(trimmed);
  return parsed === undefined ? value : parsed;
}

/** JSON text for any decoded value; bytes become base64 so they survive the round trip. */
export function stringifyValue(value: unknown): string {
  return JSON.stringify(value, (_key, nested: unknown) => {
    if (nested instanceof Uint8Array) return Buffer.from(nested).toString("base64");
    if (typeof nested === "bigint") return nested.toString();
    return nested;
  });
}

/** Strings stay as they are, everything else becomes JSON text; null and undefined stay absent. */
export function toText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return stringifyValue(value);
}

/** Like toText but empty strings count as absent (exporters send "" for unset ids). */
export function toNonEmptyText(value: unknown): string | null {
  const text = toText(value);
  return text === null || text.trim() === "" ? null : text;
}

/** Numbers, and decimal strings (int64 values past 2^53 arrive as strings). */
export function toNumber(value: unknown): number | null {
  if (typeof value === "number") return Number.isFinite(value) ? value : null;
  if (typeof value !== "string" || value.trim() === "") return null;
  const parsed = Number(value);
  return Number.isFinite(parsed) ? parsed : null;
}

/** An array of strings from a real array or a JSON array text. */
export function toStringArray(value: unknown): string[] | null {
  const structured = toStructured(value);
  if (!Array.isArray(structured)) return null;
  return structured.map((item) => toText(item)).filter((item): item is string => item !== null);
}

/** Flattens a map (or JSON object text) into string values, for metadata-like fields. */
export function toStringRecord(value: unknown): Record<string, string> | null {
  const structured = toStructured(value);
  if (!isRecord(structured)) return null;
  const record: Record<string, string> = {};
  for (const [key, nested] of Object.entries(structured)) {
    const text = toText(nested);
    if (text !== null) record[key] = text;
  }
  return record;
}
