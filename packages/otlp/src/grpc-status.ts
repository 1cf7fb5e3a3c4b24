import { Reader, Writer } from "protobufjs/minimal.js";

// google.rpc.Status { code = 1; message = 2; repeated google.protobuf.Any details = 3 },
// Any { type_url = 1; value = 2 }, google.rpc.RetryInfo { Duration retry_delay = 1 },
// Duration { int64 seconds = 1 }.
const STATUS_CODE = (1 << 3) | 0;
const STATUS_MESSAGE = (2 << 3) | 2;
const STATUS_DETAILS = (3 << 3) | 2;
const ANY_TYPE_URL = (1 << 3) | 2;
const ANY_VALUE = (2 << 3) | 2;
const RETRY_INFO_DELAY = (1 << 3) | 2;
const DURATION_SECONDS = (1 << 3) | 0;
const RETRY_INFO_TYPE_URL = "type.googleapis.com/google.rpc.RetryInfo";

/** google.rpc.Code values, which grpc-js names `status`; this package does not depend on it. */
const GrpcCode = {
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
} as const;

// The OTLP spec's failure codes: bad data and auth are final, throttling is retried. A body
// over the limit is RESOURCE_EXHAUSTED, as grpc-js itself answers for messages over its
// receive limit; over gRPC only throttling carries RetryInfo, so exporters do not retry it.
const CODE_BY_HTTP_STATUS: Readonly<Record<number, number>> = {
  400: GrpcCode.INVALID_ARGUMENT,
  401: GrpcCode.UNAUTHENTICATED,
  403: GrpcCode.PERMISSION_DENIED,
  404: GrpcCode.NOT_FOUND,
  405: GrpcCode.UNIMPLEMENTED,
  408: GrpcCode.DEADLINE_EXCEEDED,
  413: GrpcCode.RESOURCE_EXHAUSTED,
  415: GrpcCode.INVALID_ARGUMENT,
  429: GrpcCode.RESOURCE_EXHAUSTED,
  503: GrpcCode.UNAVAILABLE,
};

/** The gRPC code of a failure the HTTP receiver answers with `httpStatus` (INTERNAL for any other). */
export function grpcCodeForHttpStatus(httpStatus: number): number {
  return CODE_BY_HTTP_STATUS[httpStatus] ?? GrpcCode.INTERNAL;
}

/** A google.rpc.Status's code and message, written; details may follow. */
function statusWriter(code: number, message: string): Writer {
  const writer = Writer.create();
  if (code !== 0) writer.uint32(STATUS_CODE).int32(code);
  if (message !== "") writer.uint32(STATUS_MESSAGE).string(message);
  return writer;
}

/** A google.rpc.Status with a code and a message and no details, as protobuf. */
export function encodeStatus(code: number, message: string): Uint8Array {
  return statusWriter(code, message).finish();
}

/**
 * The `grpc-status-details-bin` trailer of a throttled OTLP/gRPC export: a google.rpc.Status
 * carrying RetryInfo, which the OTLP spec has exporters honour before retrying. Encoded
 * here because grpc-js passes status details through as bytes and ships no rpc protos.
 */
export function encodeRetryStatus(code: number, message: string, retryDelaySeconds: number): Buffer {
  const retryInfo = Writer.create();
  retryInfo.uint32(RETRY_INFO_DELAY).fork().uint32(DURATION_SECONDS).int64(retryDelaySeconds).ldelim();
  const writer = statusWriter(code, message);
  writer.uint32(STATUS_DETAILS).fork();
  writer.uint32(ANY_TYPE_URL).string(RETRY_INFO_TYPE_URL);
  writer.uint32(ANY_VALUE).bytes(retryInfo.finish());
  writer.ldelim();
  return Buffer.from(writer.finish());
}

// grpc.health.v1: HealthCheckRequest { string service = 1 }, HealthCheckResponse { ServingStatus status = 1 }.
const HEALTH_REQUEST_SERVICE = (1 << 3) | 2;
const HEALTH_RESPONSE_STATUS = (1 << 3) | 0;
export const HEALTH_SERVING = 1;

/** The service a grpc.health.v1 `Check` asks about ("" for the server as a whole). */
export function decodeHealthCheckService(request: Uint8Array): string {
  const reader = Reader.create(request);
  let service = "";
  while (reader.pos < reader.len) {
    const tag = reader.uint32();
    if (tag === HEALTH_REQUEST_SERVICE) service = reader.string();
    else reader.skipType(tag & 7);
  }
  return service;
}

export function encodeHealthCheckResponse(servingStatus: number): Buffer {
  return Buffer.from(Writer.create().uint32(HEALTH_RESPONSE_STATUS).int32(servingStatus).finish());
}
