import type { TOtlpAttributes, TOtlpScope, TOtlpSpan, TOtlpSpanEvent, TOtlpSpanLink } from "@spanlens/core";
import { isAllZeroHex, isValidHexId, jsonIdToHex, SPAN_ID_BYTES, TRACE_ID_BYTES } from "../ids.js";
import { toStatusCode } from "../protobuf/trace.js";
import { rejectRecord } from "../rejections.js";
import type { TDecodedTraces } from "../types.js";
import {
  asJsonArray,
  asJsonObject,
  asJsonString,
  readField,
  readJsonAttributes,
  readJsonEnum,
  readJsonNanos,
  requireJsonObject,
  shapeError,
  type TJsonCursor,
  type TJsonObject,
  walkJsonExport,
} from "./common.js";

const SPAN_KIND_NAMES = [
  "SPAN_KIND_UNSPECIFIED",
  "SPAN_KIND_INTERNAL",
  "SPAN_KIND_SERVER",
  "SPAN_KIND_CLIENT",
  "SPAN_KIND_PRODUCER",
  "SPAN_KIND_CONSUMER",
] as const;
const STATUS_CODE_NAMES = ["STATUS_CODE_UNSET", "STATUS_CODE_OK", "STATUS_CODE_ERROR"] as const;

/** Walks a parsed OTLP/JSON ExportTraceServiceRequest into span records. */
export function decodeJsonTraceRequest(root: TJsonObject, result: TDecodedTraces): void {
  walkJsonExport(
    root,
    {
      signal: "Spans",
      resources: ["resourceSpans", "resource_spans"],
      scopes: ["scopeSpans", "scope_spans"],
      records: ["spans", "spans"],
      recordLabel: "span",
    },
    (record, cursor, resource, scope) => readJsonSpan(record, cursor, resource, scope, result),
  );
}

function readJsonSpan(
  source: TJsonObject,
  cursor: TJsonCursor,
  resource: TOtlpAttributes,
  scope: TOtlpScope,
  result: TDecodedTraces,
): void {
  const traceId = jsonIdToHex(readField(source, "traceId", "trace_id"), TRACE_ID_BYTES);
  if (traceId === null || !isValidHexId(traceId, TRACE_ID_BYTES)) {
    rejectRecord(result.rejected, "invalid traceId: must be 32 hex characters and not all zero");
    return;
  }
  const spanId = jsonIdToHex(readField(source, "spanId", "span_id"), SPAN_ID_BYTES);
  if (spanId === null || !isValidHexId(spanId, SPAN_ID_BYTES)) {
    rejectRecord(result.rejected, "invalid spanId: must be 16 hex characters and not all zero");
    return;
  }
  const parentSpanId = jsonIdToHex(readField(source, "parentSpanId", "parent_span_id"), SPAN_ID_BYTES);
  if (parentSpanId === null) {
    rejectRecord(result.rejected, "invalid parentSpanId: must be empty or 16 hex characters");
    return;
  }
  const startTimeUnixNano = readJsonNanos(readField(source, "startTimeUnixNano", "start_time_unix_nano"));
  const endTimeUnixNano = readJsonNanos(readField(source, "endTimeUnixNano", "end_time_unix_nano"));
  if (startTimeUnixNano === null || endTimeUnixNano === null) {
    throw shapeError(cursor, "startTimeUnixNano and endTimeUnixNano must be unsigned decimal nanoseconds");
  }
  const status = asJsonObject(source.status, cursor, "status");
  const span: TOtlpSpan = {
    traceId,
    spanId,
    parentSpanId: parentSpanId === "" || isAllZeroHex(parentSpanId) ? null : parentSpanId,
    name: asJsonString(source.name, cursor, "name"),
    kind: readJsonEnum(source.kind, SPAN_KIND_NAMES, cursor, "kind"),
    startTimeUnixNano,
    endTimeUnixNano,
    attributes: readJsonAttributes(source.attributes, cursor, 0),
    events: asJsonArray(source.events, cursor, "events").map((event) => readJsonEvent(event, cursor)),
    links: readJsonLinks(source.links, cursor),
    status: {
      code: status === null ? 0 : toStatusCode(readJsonEnum(status.code, STATUS_CODE_NAMES, cursor, "status.code")),
      message: status === null ? "" : asJsonString(status.message, cursor, "status.message"),
    },
    resource,
    scope,
  };
  result.spans.push(span);
}

function readJsonEvent(value: unknown, cursor: TJsonCursor): TOtlpSpanEvent {
  const source = requireJsonObject(value, cursor, "event");
  const timeUnixNano = readJsonNanos(readField(source, "timeUnixNano", "time_unix_nano"));
  if (timeUnixNano === null) throw shapeError(cursor, "event timeUnixNano must be unsigned decimal nanoseconds");
  return {
    name: asJsonString(source.name, cursor, "event name"),
    timeUnixNano,
    attributes: readJsonAttributes(source.attributes, cursor, 0),
  };
}

/** Links to an invalid span context point nowhere and are dropped, as in the protobuf path. */
function readJsonLinks(value: unknown, cursor: TJsonCursor): TOtlpSpanLink[] {
  const links: TOtlpSpanLink[] = [];
  for (const entry of asJsonArray(value, cursor, "links")) {
    const source = requireJsonObject(entry, cursor, "link");
    const traceId = jsonIdToHex(readField(source, "traceId", "trace_id"), TRACE_ID_BYTES);
    const spanId = jsonIdToHex(readField(source, "spanId", "span_id"), SPAN_ID_BYTES);
    const attributes = readJsonAttributes(source.attributes, cursor, 0);
    if (traceId === null || !isValidHexId(traceId, TRACE_ID_BYTES)) continue;
    if (spanId === null || !isValidHexId(spanId, SPAN_ID_BYTES)) continue;
    links.push({ traceId, spanId, attributes });
  }
  return links;
}
