export { bodyTooLarge, decompressBody, parseContentEncoding } from "./compression.js";
export { mediaTypeOf, OTLP_CONTENT_TYPE_HEADERS, parseOtlpContentType } from "./content-type.js";
export { decodeLogs, decodeTraces } from "./decode.js";
export {
  decodeHealthCheckService,
  encodeHealthCheckResponse,
  encodeRetryStatus,
  grpcCodeForHttpStatus,
  HEALTH_SERVING,
} from "./grpc-status.js";
export { LOGS_SENT_TO_TRACES_MESSAGE } from "./rejections.js";
export { encodeFailureResponse, encodeLogsResponse, encodeTraceResponse } from "./response.js";
export type { TDecodedLogs, TDecodedTraces, TOtlpContentType, TOtlpRejections } from "./types.js";
