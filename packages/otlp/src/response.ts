import type { TErrorBody } from "@spanlens/core";
import { Writer } from "protobufjs/minimal.js";
import { encodeStatus, grpcCodeForHttpStatus } from "./grpc-status.js";
import type { TOtlpContentType } from "./types.js";

// ExportTraceServiceResponse / ExportLogsServiceResponse share one layout:
// partial_success = 1 { rejected_spans | rejected_log_records = 1 (int64), error_message = 2 }.
const PARTIAL_SUCCESS = (1 << 3) | 2;
const PARTIAL_SUCCESS_REJECTED = (1 << 3) | 0;
const PARTIAL_SUCCESS_ERROR_MESSAGE = (2 << 3) | 2;

const textEncoder = new TextEncoder();

/** Body of a 200 for /v1/traces, in the request's encoding. */
export function encodeTraceResponse(
  contentType: TOtlpContentType,
  partialSuccess?: { rejectedSpans: number; errorMessage: string },
): Uint8Array {
  return encodeExportResponse(
    contentType,
    "rejectedSpans",
    partialSuccess?.rejectedSpans ?? 0,
    partialSuccess?.errorMessage ?? "",
  );
}

/** Body of a 200 for /v1/logs, in the request's encoding. */
export function encodeLogsResponse(
  contentType: TOtlpContentType,
  partialSuccess?: { rejectedLogRecords: number; errorMessage: string },
): Uint8Array {
  return encodeExportResponse(
    contentType,
    "rejectedLogRecords",
    partialSuccess?.rejectedLogRecords ?? 0,
    partialSuccess?.errorMessage ?? "",
  );
}

// The spec says partial_success stays unset on full success, so the counts are only written
// when something was dropped or there is a warning to pass on.
function encodeExportResponse(
  contentType: TOtlpContentType,
  countName: "rejectedSpans" | "rejectedLogRecords",
  rejectedCount: number,
  errorMessage: string,
): Uint8Array {
  const rejected = Number.isSafeInteger(rejectedCount) && rejectedCount > 0 ? rejectedCount : 0;
  const hasPartialSuccess = rejected > 0 || errorMessage !== "";
  if (contentType === "json") {
    const partialSuccess: Record<string, string> = {};
    // proto3 JSON writes int64 as a string.
    if (rejected > 0) partialSuccess[countName] = String(rejected);
    if (errorMessage !== "") partialSuccess.errorMessage = errorMessage;
    return textEncoder.encode(JSON.stringify(hasPartialSuccess ? { partialSuccess } : {}));
  }
  if (!hasPartialSuccess) return new Uint8Array(0);
  const writer = Writer.create();
  writer.uint32(PARTIAL_SUCCESS).fork();
  if (rejected > 0) writer.uint32(PARTIAL_SUCCESS_REJECTED).int64(rejected);
  if (errorMessage !== "") writer.uint32(PARTIAL_SUCCESS_ERROR_MESSAGE).string(errorMessage);
  writer.ldelim();
  return writer.finish();
}

/**
 * Body of a 4xx or 5xx answer to an OTLP/HTTP export. The spec has every failure carry a
 * google.rpc.Status in the request's encoding, whose message OTLP exporters log (the Python
 * and Go ones decode it from a protobuf answer); its code is the gRPC code of the same
 * failure. The JSON form also keeps the `error` object every other Spanlens endpoint
 * answers with: a Status reader skips a field it does not know, as the spec asks of OTLP
 * JSON readers, and a client written against Spanlens's errors still finds its fields.
 */
export function encodeFailureResponse(
  contentType: TOtlpContentType,
  httpStatus: number,
  error: TErrorBody["error"],
): Uint8Array {
  const code = grpcCodeForHttpStatus(httpStatus);
  if (contentType === "protobuf") return encodeStatus(code, error.message);
  return textEncoder.encode(JSON.stringify({ code, message: error.message, error }));
}
