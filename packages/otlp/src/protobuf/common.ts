import type { TAnyValue, TOtlpAttributes, TOtlpScope } from "@spanlens/core";
import type { Reader } from "protobufjs/minimal.js";
import { badRequest, MAX_ANY_VALUE_DEPTH } from "../rejections.js";
import { assertMessageEnd, readInt64, readMessageEnd, skipField } from "./wire.js";

// Tags are (field number << 3 | wire type) from opentelemetry-proto common/v1/common.proto and
// resource/v1/resource.proto; matching the whole tag sends a wrong wire type to skipField.
const ANY_STRING = (1 << 3) | 2;
const ANY_BOOL = (2 << 3) | 0;
const ANY_INT = (3 << 3) | 0;
const ANY_DOUBLE = (4 << 3) | 1;
const ANY_ARRAY = (5 << 3) | 2;
const ANY_KVLIST = (6 << 3) | 2;
const ANY_BYTES = (7 << 3) | 2;
const KEY_VALUE_KEY = (1 << 3) | 2;
const KEY_VALUE_VALUE = (2 << 3) | 2;
const LIST_VALUES = (1 << 3) | 2;
const SCOPE_NAME = (1 << 3) | 2;
const SCOPE_VERSION = (2 << 3) | 2;
const SCOPE_ATTRIBUTES = (3 << 3) | 2;
const RESOURCE_ATTRIBUTES = (1 << 3) | 2;

export const EMPTY_SCOPE: TOtlpScope = Object.freeze({ name: "", version: "", attributes: Object.freeze({}) });
export const EMPTY_RESOURCE: TOtlpAttributes = Object.freeze({});

/** Plain-object assignment that cannot be turned into a prototype swap by a key named `__proto__`. */
export function setAttribute(target: TOtlpAttributes, key: string, value: TAnyValue): void {
  if (key === "__proto__")
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

/** Reads one length-prefixed AnyValue; an empty one (no field set) is null. */
export function readAnyValue(reader: Reader, depth: number): TAnyValue {
  if (depth > MAX_ANY_VALUE_DEPTH) throw badRequest(`AnyValue nested deeper than ${MAX_ANY_VALUE_DEPTH} levels`);
  const end = readMessageEnd(reader);
  let value: TAnyValue = null;
  while (reader.pos < end) {
    const tag = reader.uint32();
    switch (tag) {
      case ANY_STRING:
        value = reader.string();
        break;
      case ANY_BOOL:
        value = reader.bool();
        break;
      case ANY_INT:
        value = readInt64(reader);
        break;
      case ANY_DOUBLE:
        value = reader.double();
        break;
      case ANY_ARRAY:
        value = readArrayValue(reader, depth + 1);
        break;
      case ANY_KVLIST:
        value = readKeyValueList(reader, depth + 1);
        break;
      case ANY_BYTES:
        // Copy so a retained attribute does not pin the whole request body in memory.
        value = new Uint8Array(reader.bytes());
        break;
      default:
        skipField(reader, tag);
    }
  }
  assertMessageEnd(reader, end);
  return value;
}

function readArrayValue(reader: Reader, depth: number): TAnyValue[] {
  const end = readMessageEnd(reader);
  const values: TAnyValue[] = [];
  while (reader.pos < end) {
    const tag = reader.uint32();
    if (tag === LIST_VALUES) values.push(readAnyValue(reader, depth));
    else skipField(reader, tag);
  }
  assertMessageEnd(reader, end);
  return values;
}

function readKeyValueList(reader: Reader, depth: number): TOtlpAttributes {
  const end = readMessageEnd(reader);
  const entries: TOtlpAttributes = {};
  while (reader.pos < end) {
    const tag = reader.uint32();
    if (tag === LIST_VALUES) readKeyValueInto(reader, entries, depth);
    else skipField(reader, tag);
  }
  assertMessageEnd(reader, end);
  return entries;
}

/** Reads one length-prefixed KeyValue into `target`; a repeated key keeps the last value. */
export function readKeyValueInto(reader: Reader, target: TOtlpAttributes, depth: number): void {
  const end = readMessageEnd(reader);
  let key = "";
  let value: TAnyValue = null;
  while (reader.pos < end) {
    const tag = reader.uint32();
    if (tag === KEY_VALUE_KEY) key = reader.string();
    else if (tag === KEY_VALUE_VALUE) value = readAnyValue(reader, depth);
    else skipField(reader, tag);
  }
  assertMessageEnd(reader, end);
  setAttribute(target, key, value);
}

export function readScope(reader: Reader): TOtlpScope {
  const end = readMessageEnd(reader);
  const scope: TOtlpScope = { name: "", version: "", attributes: {} };
  while (reader.pos < end) {
    const tag = reader.uint32();
    if (tag === SCOPE_NAME) scope.name = reader.string();
    else if (tag === SCOPE_VERSION) scope.version = reader.string();
    else if (tag === SCOPE_ATTRIBUTES) readKeyValueInto(reader, scope.attributes, 0);
    else skipField(reader, tag);
  }
  assertMessageEnd(reader, end);
  return scope;
}

export function readResource(reader: Reader): TOtlpAttributes {
  const end = readMessageEnd(reader);
  const attributes: TOtlpAttributes = {};
  while (reader.pos < end) {
    const tag = reader.uint32();
    if (tag === RESOURCE_ATTRIBUTES) readKeyValueInto(reader, attributes, 0);
    else skipField(reader, tag);
  }
  assertMessageEnd(reader, end);
  return attributes;
}
