import type { TOtlpSpan, TOtlpSpanEvent, TOtlpSpanLink, TOtlpStatusCode } from "@spanlens/core";
import type { Reader } from "protobufjs/minimal.js";
import { bytesToHex, isAllZero, SPAN_ID_BYTES, TRACE_ID_BYTES } from "../ids.js";
import { rejectRecord } from "../rejections.js";
import type { TOtlpRejections } from "../types.js";
import { EMPTY_RESOURCE, EMPTY_SCOPE, readKeyValueInto, readResource, readScope } from "./common.js";
import { assertMessageEnd, readFixed64String, readMessageEnd, skipField } from "./wire.js";

// Tags from opentelemetry-proto collector/trace/v1/trace_service.proto and trace/v1/trace.proto.
const REQUEST_RESOURCE_SPANS = (1 << 3) | 2;
const RESOURCE_SPANS_RESOURCE = (1 << 3) | 2;
const RESOURCE_SPANS_SCOPE_SPANS = (2 << 3) | 2;
const SCOPE_SPANS_SCOPE = (1 << 3) | 2;
const SCOPE_SPANS_SPANS = (2 << 3) | 2;
const SPAN_TRACE_ID = (1 << 3) | 2;
const SPAN_SPAN_ID = (2 << 3) | 2;
const SPAN_PARENT_SPAN_ID = (4 << 3) | 2;
const SPAN_NAME = (5 << 3) | 2;
const SPAN_KIND = (6 << 3) | 0;
const SPAN_START_TIME = (7 << 3) | 1;
const SPAN_END_TIME = (8 << 3) | 1;
const SPAN_ATTRIBUTES = (9 << 3) | 2;
const SPAN_EVENTS = (11 << 3) | 2;
const SPAN_LINKS = (13 << 3) | 2;
const SPAN_STATUS = (15 << 3) | 2;
const EVENT_TIME = (1 << 3) | 1;
const EVENT_NAME = (2 << 3) | 2;
const EVENT_ATTRIBUTES = (3 << 3) | 2;
const LINK_TRACE_ID = (1 << 3) | 2;
const LINK_SPAN_ID = (2 << 3) | 2;
const LINK_ATTRIBUTES = (4 << 3) | 2;
const STATUS_MESSAGE = (2 << 3) | 2;
const STATUS_CODE = (3 << 3) | 0;

const MAX_SPAN_KIND = 5;

export interface TProtobufTraceDecode {
  spans: TOtlpSpan[];
  rejected: TOtlpRejections;
  /** Spans that carried neither a trace id nor a span id: the signature of a logs body. */
  idlessCount: number;
}

/**
 * Decodes an ExportTraceServiceRequest straight into span records. Hand-written on top of the
 * protobufjs Reader rather than pbjs static code + toObject: the generated path builds an
 * intermediate message tree and then converts it, which halves throughput, and it would still
 * need another pass to turn ids into hex and fixed64 times into strings.
 */
export function decodeTraceRequest(reader: Reader, result: TProtobufTraceDecode): void {
  while (reader.pos < reader.len) {
    const tag = reader.uint32();
    if (tag === REQUEST_RESOURCE_SPANS) readResourceSpans(reader, result);
    else skipField(reader, tag);
  }
}

function readResourceSpans(reader: Reader, result: TProtobufTraceDecode): void {
  const end = readMessageEnd(reader);
  const firstSpan = result.spans.length;
  let resource = {};
  while (reader.pos < end) {
    const tag = reader.uint32();
    if (tag === RESOURCE_SPANS_RESOURCE) resource = readResource(reader);
    else if (tag === RESOURCE_SPANS_SCOPE_SPANS) readScopeSpans(reader, result);
    else skipField(reader, tag);
  }
  assertMessageEnd(reader, end);
  // Field order on the wire is not guaranteed, so the resource is attached once it is known.
  for (let i = firstSpan; i < result.spans.length; i++) {
    const span = result.spans[i];
    if (span) span.resource = resource;
  }
}

function readScopeSpans(reader: Reader, result: TProtobufTraceDecode): void {
  const end = readMessageEnd(reader);
  const firstSpan = result.spans.length;
  let scope = { name: "", version: "", attributes: {} };
  while (reader.pos < end) {
    const tag = reader.uint32();
    if (tag === SCOPE_SPANS_SCOPE) scope = readScope(reader);
    else if (tag === SCOPE_SPANS_SPANS) readSpan(reader, result);
    else skipField(reader, tag);
  }
  assertMessageEnd(reader, end);
  for (let i = firstSpan; i < result.spans.length; i++) {
    const span = result.spans[i];
    if (span) span.scope = scope;
  }
}

function readSpan(reader: Reader, result: TProtobufTraceDecode): void {
  const end = readMessageEnd(reader);
  let traceId: Uint8Array | null = null;
  let spanId: Uint8Array | null = null;
  let parentSpanId: Uint8Array | null = null;
  const span: TOtlpSpan = {
    traceId: "",
    spanId: "",
    parentSpanId: null,
    name: "",
    kind: 0,
    startTimeUnixNano: "0",
    endTimeUnixNano: "0",
    attributes: {},
    events: [],
    links: [],
    status: { code: 0, message: "" },
    resource: EMPTY_RESOURCE,
    scope: EMPTY_SCOPE,
  };
  while (reader.pos < end) {
    const tag = reader.uint32();
    switch (tag) {
      case SPAN_TRACE_ID:
        traceId = reader.bytes();
        break;
      case SPAN_SPAN_ID:
        spanId = reader.bytes();
        break;
      case SPAN_PARENT_SPAN_ID:
        parentSpanId = reader.bytes();
        break;
      case SPAN_NAME:
        span.name = reader.string();
        break;
      case SPAN_KIND: {
        const kind = reader.uint32();
        span.kind = kind <= MAX_SPAN_KIND ? kind : 0;
        break;
      }
      case SPAN_START_TIME:
        span.startTimeUnixNano = readFixed64String(reader);
        break;
      case SPAN_END_TIME:
        span.endTimeUnixNano = readFixed64String(reader);
        break;
      case SPAN_ATTRIBUTES:
        readKeyValueInto(reader, span.attributes, 0);
        break;
      case SPAN_EVENTS:
        span.events.push(readEvent(reader));
        break;
      case SPAN_LINKS: {
        const link = readLink(reader);
        if (link) span.links.push(link);
        break;
      }
      case SPAN_STATUS:
        span.status = readStatus(reader);
        break;
      default:
        skipField(reader, tag);
    }
  }
  assertMessageEnd(reader, end);

  if (traceId === null || traceId.length !== TRACE_ID_BYTES || isAllZero(traceId)) {
    if (traceId === null && spanId === null) result.idlessCount++;
    rejectRecord(result.rejected, "invalid trace_id: must be 16 bytes and not all zero");
    return;
  }
  if (spanId === null || spanId.length !== SPAN_ID_BYTES || isAllZero(spanId)) {
    rejectRecord(result.rejected, "invalid span_id: must be 8 bytes and not all zero");
    return;
  }
  if (parentSpanId !== null && parentSpanId.length !== 0 && parentSpanId.length !== SPAN_ID_BYTES) {
    rejectRecord(result.rejected, "invalid parent_span_id: must be empty or 8 bytes");
    return;
  }
  span.traceId = bytesToHex(traceId);
  span.spanId = bytesToHex(spanId);
  // Some exporters write an all-zero parent for roots instead of leaving the field empty.
  if (parentSpanId !== null && parentSpanId.length !== 0 && !isAllZero(parentSpanId)) {
    span.parentSpanId = bytesToHex(parentSpanId);
  }
  result.spans.push(span);
}

function readEvent(reader: Reader): TOtlpSpanEvent {
  const end = readMessageEnd(reader);
  const event: TOtlpSpanEvent = { name: "", timeUnixNano: "0", attributes: {} };
  while (reader.pos < end) {
    const tag = reader.uint32();
    if (tag === EVENT_TIME) event.timeUnixNano = readFixed64String(reader);
    else if (tag === EVENT_NAME) event.name = reader.string();
    else if (tag === EVENT_ATTRIBUTES) readKeyValueInto(reader, event.attributes, 0);
    else skipField(reader, tag);
  }
  assertMessageEnd(reader, end);
  return event;
}

/** A link to an invalid span context points nowhere, so it is dropped rather than failing the span. */
function readLink(reader: Reader): TOtlpSpanLink | null {
  const end = readMessageEnd(reader);
  let traceId: Uint8Array | null = null;
  let spanId: Uint8Array | null = null;
  const link: TOtlpSpanLink = { traceId: "", spanId: "", attributes: {} };
  while (reader.pos < end) {
    const tag = reader.uint32();
    if (tag === LINK_TRACE_ID) traceId = reader.bytes();
    else if (tag === LINK_SPAN_ID) spanId = reader.bytes();
    else if (tag === LINK_ATTRIBUTES) readKeyValueInto(reader, link.attributes, 0);
    else skipField(reader, tag);
  }
  assertMessageEnd(reader, end);
  if (traceId === null || traceId.length !== TRACE_ID_BYTES || isAllZero(traceId)) return null;
  if (spanId === null || spanId.length !== SPAN_ID_BYTES || isAllZero(spanId)) return null;
  link.traceId = bytesToHex(traceId);
  link.spanId = bytesToHex(spanId);
  return link;
}

function readStatus(reader: Reader): { code: TOtlpStatusCode; message: string } {
  const end = readMessageEnd(reader);
  const status: { code: TOtlpStatusCode; message: string } = { code: 0, message: "" };
  while (reader.pos < end) {
    const tag = reader.uint32();
    if (tag === STATUS_MESSAGE) status.message = reader.string();
    else if (tag === STATUS_CODE) status.code = toStatusCode(reader.uint32());
    else skipField(reader, tag);
  }
  assertMessageEnd(reader, end);
  return status;
}

export function toStatusCode(code: number): TOtlpStatusCode {
  return code === 1 || code === 2 ? code : 0;
}
