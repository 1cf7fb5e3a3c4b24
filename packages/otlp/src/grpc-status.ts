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

/**
 * The `grpc-status-details-bin` trailer of a throttled OTLP/gRPC export: a google.rpc.Status
 * carrying RetryInfo, which the OTLP spec has exporters honour before retrying. Encoded
 * here because grpc-js passes status details through as bytes and ships no rpc protos.
 */
export function encodeRetryStatus(code: number, message: string, retryDelaySeconds: number): Buffer {
  const retryInfo = Writer.create();
  retryInfo.uint32(RETRY_INFO_DELAY).fork().uint32(DURATION_SECONDS).int64(retryDelaySeconds).ldelim();
  const writer = Writer.create();
  writer.uint32(STATUS_CODE).int32(code);
  if (message !== "") writer.uint32(STATUS_MESSAGE).string(message);
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
