import type { TOtlpAttributes, TOtlpScope } from "@spanlens/core";
import { isAllZeroHex, jsonIdToHex, SPAN_ID_BYTES, TRACE_ID_BYTES } from "../ids.js";
import { rejectRecord } from "../rejections.js";
import type { TDecodedLogs } from "../types.js";
import {
  asJsonArray,
  asJsonString,
  createJsonCursor,
  readField,
  readJsonAnyValue,
  readJsonAttributes,
  readJsonEnum,
  readJsonNanos,
  readJsonResource,
  readJsonScope,
  requireJsonObject,
  shapeError,
  type TJsonCursor,
  type TJsonObject,
} from "./common.js";

const SEVERITY_NUMBER_NAMES = ["UNSPECIFIED", "TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"].flatMap((level) =>
  level === "UNSPECIFIED"
    ? ["SEVERITY_NUMBER_UNSPECIFIED"]
    : ["", "2", "3", "4"].map((suffix) => `SEVERITY_NUMBER_${level}${suffix}`),
);

/** Walks a parsed OTLP/JSON ExportLogsServiceRequest into log records. */
export function decodeJsonLogsRequest(root: TJsonObject, result: TDecodedLogs): void {
  const cursor = createJsonCursor("Logs");
  const resourceLogsList = asJsonArray(readField(root, "resourceLogs", "resource_logs"), cursor, "resourceLogs");
  for (let r = 0; r < resourceLogsList.length; r++) {
    cursor.resource = r;
    cursor.scope = -1;
    cursor.record = -1;
    const resourceLogs = requireJsonObject(resourceLogsList[r], cursor, "resourceLogs entry");
    const resource = readJsonResource(resourceLogs.resource, cursor);
    const scopeLogsList = asJsonArray(readField(resourceLogs, "scopeLogs", "scope_logs"), cursor, "scopeLogs");
    for (let s = 0; s < scopeLogsList.length; s++) {
      cursor.scope = s;
      cursor.record = -1;
      const scopeLogs = requireJsonObject(scopeLogsList[s], cursor, "scopeLogs entry");
      const scope = readJsonScope(scopeLogs.scope, cursor);
      const logRecords = asJsonArray(readField(scopeLogs, "logRecords", "log_records"), cursor, "logRecords");
      for (let i = 0; i < logRecords.length; i++) {
        cursor.record = i;
        readJsonLogRecord(requireJsonObject(logRecords[i], cursor, "log record"), cursor, resource, scope, result);
      }
    }
  }
}

/** Trace context is optional on a log record: "" or all-zero means uncorrelated, anything else malformed is rejected. */
function readOptionalId(value: unknown, byteLength: number): string | null | undefined {
  const hex = jsonIdToHex(value, byteLength);
  if (hex === null) return undefined;
  return hex === "" || isAllZeroHex(hex) ? null : hex;
}

function readJsonLogRecord(
  source: TJsonObject,
  cursor: TJsonCursor,
  resource: TOtlpAttributes,
  scope: TOtlpScope,
  result: TDecodedLogs,
): void {
  const traceId = readOptionalId(readField(source, "traceId", "trace_id"), TRACE_ID_BYTES);
  if (traceId === undefined) {
    rejectRecord(result.rejected, "invalid traceId: must be empty or 32 hex characters");
    return;
  }
  const spanId = readOptionalId(readField(source, "spanId", "span_id"), SPAN_ID_BYTES);
  if (spanId === undefined) {
    rejectRecord(result.rejected, "invalid spanId: must be empty or 16 hex characters");
    return;
  }
  const timeUnixNano = readJsonNanos(readField(source, "timeUnixNano", "time_unix_nano"));
  const observedTimeUnixNano = readJsonNanos(readField(source, "observedTimeUnixNano", "observed_time_unix_nano"));
  if (timeUnixNano === null || observedTimeUnixNano === null) {
    throw shapeError(cursor, "timeUnixNano and observedTimeUnixNano must be unsigned decimal nanoseconds");
  }
  result.logRecords.push({
    timeUnixNano,
    observedTimeUnixNano,
    severityNumber: readJsonEnum(
      readField(source, "severityNumber", "severity_number"),
      SEVERITY_NUMBER_NAMES,
      cursor,
      "severityNumber",
    ),
    severityText: asJsonString(readField(source, "severityText", "severity_text"), cursor, "severityText"),
    eventName: asJsonString(readField(source, "eventName", "event_name"), cursor, "eventName"),
    body: readJsonAnyValue(source.body, cursor, 0),
    attributes: readJsonAttributes(source.attributes, cursor, 0),
    traceId,
    spanId,
    resource,
    scope,
  });
}
