import type { TOtlpLogRecord } from "@spanlens/core";
import type { Reader } from "protobufjs/minimal.js";
import { bytesToHex, isAllZero, SPAN_ID_BYTES, TRACE_ID_BYTES } from "../ids.js";
import { rejectRecord } from "../rejections.js";
import type { TOtlpRejections } from "../types.js";
import { EMPTY_RESOURCE, EMPTY_SCOPE, readAnyValue, readKeyValueInto, readResource, readScope } from "./common.js";
import { assertMessageEnd, readFixed64String, readMessageEnd, skipField } from "./wire.js";

// Tags from opentelemetry-proto collector/logs/v1/logs_service.proto and logs/v1/logs.proto.
const REQUEST_RESOURCE_LOGS = (1 << 3) | 2;
const RESOURCE_LOGS_RESOURCE = (1 << 3) | 2;
const RESOURCE_LOGS_SCOPE_LOGS = (2 << 3) | 2;
const SCOPE_LOGS_SCOPE = (1 << 3) | 2;
const SCOPE_LOGS_LOG_RECORDS = (2 << 3) | 2;
const LOG_TIME = (1 << 3) | 1;
const LOG_SEVERITY_NUMBER = (2 << 3) | 0;
const LOG_SEVERITY_TEXT = (3 << 3) | 2;
const LOG_BODY = (5 << 3) | 2;
const LOG_ATTRIBUTES = (6 << 3) | 2;
const LOG_TRACE_ID = (9 << 3) | 2;
const LOG_SPAN_ID = (10 << 3) | 2;
const LOG_OBSERVED_TIME = (11 << 3) | 1;
const LOG_EVENT_NAME = (12 << 3) | 2;

const MAX_SEVERITY_NUMBER = 24;

export interface TProtobufLogsDecode {
  logRecords: TOtlpLogRecord[];
  rejected: TOtlpRejections;
}

/** Decodes an ExportLogsServiceRequest straight into log records (see trace.ts for why by hand). */
export function decodeLogsRequest(reader: Reader, result: TProtobufLogsDecode): void {
  while (reader.pos < reader.len) {
    const tag = reader.uint32();
    if (tag === REQUEST_RESOURCE_LOGS) readResourceLogs(reader, result);
    else skipField(reader, tag);
  }
}

function readResourceLogs(reader: Reader, result: TProtobufLogsDecode): void {
  const end = readMessageEnd(reader);
  const firstRecord = result.logRecords.length;
  let resource = {};
  while (reader.pos < end) {
    const tag = reader.uint32();
    if (tag === RESOURCE_LOGS_RESOURCE) resource = readResource(reader);
    else if (tag === RESOURCE_LOGS_SCOPE_LOGS) readScopeLogs(reader, result);
    else skipField(reader, tag);
  }
  assertMessageEnd(reader, end);
  for (let i = firstRecord; i < result.logRecords.length; i++) {
    const logRecord = result.logRecords[i];
    if (logRecord) logRecord.resource = resource;
  }
}

function readScopeLogs(reader: Reader, result: TProtobufLogsDecode): void {
  const end = readMessageEnd(reader);
  const firstRecord = result.logRecords.length;
  let scope = { name: "", version: "", attributes: {} };
  while (reader.pos < end) {
    const tag = reader.uint32();
    if (tag === SCOPE_LOGS_SCOPE) scope = readScope(reader);
    else if (tag === SCOPE_LOGS_LOG_RECORDS) readLogRecord(reader, result);
    else skipField(reader, tag);
  }
  assertMessageEnd(reader, end);
  for (let i = firstRecord; i < result.logRecords.length; i++) {
    const logRecord = result.logRecords[i];
    if (logRecord) logRecord.scope = scope;
  }
}

function readLogRecord(reader: Reader, result: TProtobufLogsDecode): void {
  const end = readMessageEnd(reader);
  let traceId: Uint8Array | null = null;
  let spanId: Uint8Array | null = null;
  const logRecord: TOtlpLogRecord = {
    timeUnixNano: "0",
    observedTimeUnixNano: "0",
    severityNumber: 0,
    severityText: "",
    eventName: "",
    body: null,
    attributes: {},
    traceId: null,
    spanId: null,
    resource: EMPTY_RESOURCE,
    scope: EMPTY_SCOPE,
  };
  while (reader.pos < end) {
    const tag = reader.uint32();
    switch (tag) {
      case LOG_TIME:
        logRecord.timeUnixNano = readFixed64String(reader);
        break;
      case LOG_OBSERVED_TIME:
        logRecord.observedTimeUnixNano = readFixed64String(reader);
        break;
      case LOG_SEVERITY_NUMBER: {
        const severity = reader.uint32();
        logRecord.severityNumber = severity <= MAX_SEVERITY_NUMBER ? severity : 0;
        break;
      }
      case LOG_SEVERITY_TEXT:
        logRecord.severityText = reader.string();
        break;
      case LOG_BODY:
        logRecord.body = readAnyValue(reader, 0);
        break;
      case LOG_ATTRIBUTES:
        readKeyValueInto(reader, logRecord.attributes, 0);
        break;
      case LOG_TRACE_ID:
        traceId = reader.bytes();
        break;
      case LOG_SPAN_ID:
        spanId = reader.bytes();
        break;
      case LOG_EVENT_NAME:
        logRecord.eventName = reader.string();
        break;
      default:
        skipField(reader, tag);
    }
  }
  assertMessageEnd(reader, end);

  // Trace context is optional on a log record; empty or all-zero ids mean "not correlated".
  if (traceId !== null && traceId.length !== 0 && !isAllZero(traceId)) {
    if (traceId.length !== TRACE_ID_BYTES) {
      rejectRecord(result.rejected, "invalid trace_id: must be empty or 16 bytes");
      return;
    }
    logRecord.traceId = bytesToHex(traceId);
  }
  if (spanId !== null && spanId.length !== 0 && !isAllZero(spanId)) {
    if (spanId.length !== SPAN_ID_BYTES) {
      rejectRecord(result.rejected, "invalid span_id: must be empty or 8 bytes");
      return;
    }
    logRecord.spanId = bytesToHex(spanId);
  }
  result.logRecords.push(logRecord);
}
