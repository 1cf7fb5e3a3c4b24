import type { TOtlpAttributes, TOtlpScope } from "@spanlens/core";
import { isAllZeroHex, jsonIdToHex, SPAN_ID_BYTES, TRACE_ID_BYTES } from "../ids.js";
import { rejectRecord } from "../rejections.js";
import type { TDecodedLogs } from "../types.js";
import {
  asJsonString,
  readField,
  readJsonAnyValue,
  readJsonAttributes,
  readJsonEnum,
  readJsonNanos,
  shapeError,
  type TJsonCursor,
  type TJsonObject,
  walkJsonExport,
} from "./common.js";

const SEVERITY_NUMBER_NAMES = ["UNSPECIFIED", "TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"].flatMap((level) =>
  level === "UNSPECIFIED"
    ? ["SEVERITY_NUMBER_UNSPECIFIED"]
    : ["", "2", "3", "4"].map((suffix) => `SEVERITY_NUMBER_${level}${suffix}`),
);

/** Walks a parsed OTLP/JSON ExportLogsServiceRequest into log records. */
export function decodeJsonLogsRequest(root: TJsonObject, result: TDecodedLogs): void {
  walkJsonExport(
    root,
    {
      signal: "Logs",
      resources: ["resourceLogs", "resource_logs"],
      scopes: ["scopeLogs", "scope_logs"],
      records: ["logRecords", "log_records"],
      recordLabel: "log record",
    },
    (record, cursor, resource, scope) => readJsonLogRecord(record, cursor, resource, scope, result),
  );
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
