import type { TOtlpSpan, TOtlpSpanEvent } from "../../otlp-types.js";
import { stringifyValue, toNonEmptyText } from "../internal/any-value.js";
import type { AttributeReader } from "../internal/attribute-reader.js";
import { nanosToMillis } from "../internal/time.js";
import type { TSpanError, TSpanEventRecord, TSpanLinkRecord, TStatusCode } from "../normalized-span.js";

export const STATUS_CODES: Record<number, TStatusCode> = { 0: "unset", 1: "ok", 2: "error" };

export interface TStatusFields {
  statusCode: TStatusCode;
  statusMessage: string | null;
  error: TSpanError | null;
}

/**
 * The last `exception` event describes the failure (earlier ones may have been retried);
 * `error.type` and the status message fill what it lacks. A recorded exception on a span
 * whose status is not error was handled, but it is still reported as the span's error.
 */
function readError(reader: AttributeReader, span: TOtlpSpan, statusMessage: string | null): TSpanError | null {
  const exceptionEvent = span.events.findLast((event) => event.name === "exception");
  const exception = exceptionEvent?.attributes ?? {};
  const errorType = toNonEmptyText(reader.get("error.type"));
  const exceptionType = toNonEmptyText(exception["exception.type"]);
  if (exceptionType === null && errorType !== null) reader.consume("error.type");
  const error: TSpanError = {
    type: exceptionType ?? errorType,
    message: toNonEmptyText(exception["exception.message"]) ?? statusMessage,
    stacktrace: toNonEmptyText(exception["exception.stacktrace"]),
  };
  const isFailure = span.status.code === 2 || exceptionEvent !== undefined || errorType !== null;
  return isFailure ? error : null;
}

/** Langfuse marks failures with `langfuse.observation.level = ERROR` rather than the OTel status. */
function readLangfuseLevel(reader: AttributeReader): { isError: boolean; message: string | null } {
  const isError = toNonEmptyText(reader.get("langfuse.observation.level"))?.toUpperCase() === "ERROR";
  if (!isError) return { isError, message: null };
  reader.consume("langfuse.observation.level");
  return { isError, message: reader.takeText(["langfuse.observation.status_message"]) };
}

export function readStatus(reader: AttributeReader, span: TOtlpSpan): TStatusFields {
  const langfuse = readLangfuseLevel(reader);
  const otelCode = STATUS_CODES[span.status.code] ?? "unset";
  const statusCode = otelCode === "unset" && langfuse.isError ? "error" : otelCode;
  const statusMessage = toNonEmptyText(span.status.message) ?? langfuse.message;
  const error = readError(reader, span, statusMessage);
  return {
    statusCode,
    statusMessage,
    error: error ?? (langfuse.isError ? { type: null, message: statusMessage, stacktrace: null } : null),
  };
}

export function toEventRecords(events: readonly TOtlpSpanEvent[]): TSpanEventRecord[] {
  return events.map((event) => ({
    name: event.name,
    time: nanosToMillis(event.timeUnixNano),
    attributes: stringifyValue(event.attributes),
  }));
}

export function toLinkRecords(links: TOtlpSpan["links"]): TSpanLinkRecord[] {
  return links.map((link) => ({
    traceId: link.traceId,
    spanId: link.spanId,
    attributes: stringifyValue(link.attributes),
  }));
}
