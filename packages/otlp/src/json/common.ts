import type { TAnyValue, TOtlpAttributes, TOtlpScope } from "@spanlens/core";
import { setAttribute } from "../protobuf/common.js";
import { badRequest, MAX_ANY_VALUE_DEPTH } from "../rejections.js";

export type TJsonObject = { [key: string]: unknown };

/**
 * Where in the body the walker is, so a shape error can name the offending element. Indices
 * rather than a path string: the path is only worth building when something is wrong.
 */
export interface TJsonCursor {
  signal: "Spans" | "Logs";
  resource: number;
  scope: number;
  record: number;
}

export function createJsonCursor(signal: TJsonCursor["signal"]): TJsonCursor {
  return { signal, resource: -1, scope: -1, record: -1 };
}

function formatCursor(cursor: TJsonCursor): string {
  const recordKey = cursor.signal === "Spans" ? "spans" : "logRecords";
  let path = "body";
  if (cursor.resource >= 0) path = `resource${cursor.signal}[${cursor.resource}]`;
  if (cursor.scope >= 0) path += `.scope${cursor.signal}[${cursor.scope}]`;
  if (cursor.record >= 0) path += `.${recordKey}[${cursor.record}]`;
  return path;
}

export function shapeError(cursor: TJsonCursor, message: string): Error {
  return badRequest(`invalid OTLP/JSON at ${formatCursor(cursor)}: ${message}`);
}

function isJsonObject(value: unknown): value is TJsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** proto3 JSON allows the lowerCamelCase name and the original snake_case one. */
export function readField(source: TJsonObject, camelName: string, snakeName: string): unknown {
  const value = source[camelName];
  return value === undefined ? source[snakeName] : value;
}

export function asJsonObject(value: unknown, cursor: TJsonCursor, name: string): TJsonObject | null {
  if (value === undefined || value === null) return null;
  if (!isJsonObject(value)) throw shapeError(cursor, `${name} must be an object`);
  return value;
}

export function requireJsonObject(value: unknown, cursor: TJsonCursor, name: string): TJsonObject {
  if (!isJsonObject(value)) throw shapeError(cursor, `${name} must be an object`);
  return value;
}

export function asJsonArray(value: unknown, cursor: TJsonCursor, name: string): unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw shapeError(cursor, `${name} must be an array`);
  return value;
}

export function asJsonString(value: unknown, cursor: TJsonCursor, name: string): string {
  if (value === undefined || value === null) return "";
  if (typeof value !== "string") throw shapeError(cursor, `${name} must be a string`);
  return value;
}

const UNSIGNED_DECIMAL = /^\d+$/;
const SIGNED_DECIMAL = /^-?\d+$/;

/** fixed64 nanoseconds (string or number in OTLP/JSON) → decimal string; null when malformed. */
export function readJsonNanos(value: unknown): string | null {
  if (value === undefined || value === null) return "0";
  if (typeof value === "string") {
    if (!UNSIGNED_DECIMAL.test(value)) return null;
    // Normalize only the rare padded form; BigInt keeps it exact.
    return value.length > 1 && value.charCodeAt(0) === 48 ? BigInt(value).toString() : value;
  }
  if (typeof value === "number" && Number.isInteger(value) && value >= 0) {
    // A JSON number above 2^53 was already rounded by JSON.parse; keep what arrived, exactly.
    return Number.isSafeInteger(value) ? String(value) : BigInt(value).toString();
  }
  return null;
}

/**
 * An enum in proto3 JSON: its number, or its name looked up in `names` (index = value). An
 * out-of-range number is a newer client's value and reads as unspecified; an unknown name or
 * a wrong type is a shape error.
 */
export function readJsonEnum(value: unknown, names: readonly string[], cursor: TJsonCursor, name: string): number {
  if (value === undefined || value === null) return 0;
  if (typeof value === "number" && Number.isInteger(value)) return value >= 0 && value < names.length ? value : 0;
  if (typeof value === "string") {
    const index = names.indexOf(value);
    if (index !== -1) return index;
  }
  throw shapeError(cursor, `${name} must be an enum number or name`);
}

function readJsonInt64(value: unknown, cursor: TJsonCursor): number | string {
  if (typeof value === "number" && Number.isInteger(value)) {
    return Number.isSafeInteger(value) ? value : BigInt(value).toString();
  }
  if (typeof value === "string" && SIGNED_DECIMAL.test(value)) {
    const asNumber = Number(value);
    return Number.isSafeInteger(asNumber) ? asNumber : BigInt(value).toString();
  }
  throw shapeError(cursor, "intValue must be an integer or a decimal string");
}

function readJsonDouble(value: unknown, cursor: TJsonCursor): number {
  if (typeof value === "number") return value;
  // proto3 JSON spells non-finite doubles as strings and allows numeric strings.
  if (typeof value === "string") {
    const parsed = value === "NaN" ? Number.NaN : Number(value);
    if (value !== "" && (value === "NaN" || !Number.isNaN(parsed))) return parsed;
  }
  throw shapeError(cursor, "doubleValue must be a number");
}

/** OTLP/JSON AnyValue → TAnyValue; an object with no known value field is null. */
export function readJsonAnyValue(value: unknown, cursor: TJsonCursor, depth: number): TAnyValue {
  if (value === undefined || value === null) return null;
  if (!isJsonObject(value)) throw shapeError(cursor, "attribute value must be an AnyValue object");
  if (depth > MAX_ANY_VALUE_DEPTH) throw badRequest(`AnyValue nested deeper than ${MAX_ANY_VALUE_DEPTH} levels`);
  for (const key in value) {
    const inner = value[key];
    switch (key) {
      case "stringValue":
      case "string_value":
        if (typeof inner !== "string") throw shapeError(cursor, "stringValue must be a string");
        return inner;
      case "boolValue":
      case "bool_value":
        if (typeof inner !== "boolean") throw shapeError(cursor, "boolValue must be a boolean");
        return inner;
      case "intValue":
      case "int_value":
        return readJsonInt64(inner, cursor);
      case "doubleValue":
      case "double_value":
        return readJsonDouble(inner, cursor);
      case "arrayValue":
      case "array_value": {
        const list = asJsonObject(inner, cursor, "arrayValue");
        const values = asJsonArray(list === null ? null : list.values, cursor, "arrayValue.values");
        return values.map((item) => readJsonAnyValue(item, cursor, depth + 1));
      }
      case "kvlistValue":
      case "kvlist_value": {
        const list = asJsonObject(inner, cursor, "kvlistValue");
        return readJsonAttributes(list === null ? null : list.values, cursor, depth + 1);
      }
      case "bytesValue":
      case "bytes_value":
        // Only trace and span ids are hex in OTLP/JSON; bytes values keep proto3's base64.
        if (typeof inner !== "string") throw shapeError(cursor, "bytesValue must be a base64 string");
        return new Uint8Array(Buffer.from(inner, "base64"));
    }
  }
  return null;
}

/** A repeated KeyValue → plain object; a repeated key keeps the last value. */
export function readJsonAttributes(value: unknown, cursor: TJsonCursor, depth: number): TOtlpAttributes {
  const attributes: TOtlpAttributes = {};
  for (const entry of asJsonArray(value, cursor, "attributes")) {
    if (!isJsonObject(entry)) throw shapeError(cursor, "each attribute must be a {key, value} object");
    const key = asJsonString(entry.key, cursor, "attribute key");
    setAttribute(attributes, key, readJsonAnyValue(entry.value, cursor, depth));
  }
  return attributes;
}

export function readJsonScope(value: unknown, cursor: TJsonCursor): TOtlpScope {
  const scope = asJsonObject(value, cursor, "scope");
  if (scope === null) return { name: "", version: "", attributes: {} };
  return {
    name: asJsonString(scope.name, cursor, "scope.name"),
    version: asJsonString(scope.version, cursor, "scope.version"),
    attributes: readJsonAttributes(scope.attributes, cursor, 0),
  };
}

export function readJsonResource(value: unknown, cursor: TJsonCursor): TOtlpAttributes {
  const resource = asJsonObject(value, cursor, "resource");
  return resource === null ? {} : readJsonAttributes(resource.attributes, cursor, 0);
}

/** Field names of one OTLP/JSON export request: `[camelCase, snake_case]` per level. */
export interface TJsonExportShape {
  signal: TJsonCursor["signal"];
  resources: readonly [string, string];
  scopes: readonly [string, string];
  records: readonly [string, string];
  recordLabel: string;
}

/**
 * Walks resource → scope → record of an export request (traces and logs share the
 * shape), keeping the cursor current so every error names where it happened.
 */
export function walkJsonExport(
  root: TJsonObject,
  shape: TJsonExportShape,
  visit: (record: TJsonObject, cursor: TJsonCursor, resource: TOtlpAttributes, scope: TOtlpScope) => void,
): void {
  const cursor = createJsonCursor(shape.signal);
  const resourceList = asJsonArray(readField(root, ...shape.resources), cursor, shape.resources[0]);
  for (let r = 0; r < resourceList.length; r++) {
    cursor.resource = r;
    cursor.scope = -1;
    cursor.record = -1;
    const resourceEntry = requireJsonObject(resourceList[r], cursor, `${shape.resources[0]} entry`);
    const resource = readJsonResource(resourceEntry.resource, cursor);
    const scopeList = asJsonArray(readField(resourceEntry, ...shape.scopes), cursor, shape.scopes[0]);
    for (let s = 0; s < scopeList.length; s++) {
      cursor.scope = s;
      cursor.record = -1;
      const scopeEntry = requireJsonObject(scopeList[s], cursor, `${shape.scopes[0]} entry`);
      const scope = readJsonScope(scopeEntry.scope, cursor);
      const records = asJsonArray(readField(scopeEntry, ...shape.records), cursor, shape.records[0]);
      for (let i = 0; i < records.length; i++) {
        cursor.record = i;
        visit(requireJsonObject(records[i], cursor, shape.recordLabel), cursor, resource, scope);
      }
    }
  }
}
