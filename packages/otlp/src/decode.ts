import { isAppError } from "@spanlens/core";
import { Reader } from "protobufjs/minimal.js";
import type { TJsonObject } from "./json/common.js";
import { decodeJsonLogsRequest } from "./json/logs.js";
import { decodeJsonTraceRequest } from "./json/trace.js";
import { decodeLogsRequest, type TProtobufLogsDecode } from "./protobuf/logs.js";
import { decodeTraceRequest, type TProtobufTraceDecode } from "./protobuf/trace.js";
import { badRequest, createRejections, LOGS_SENT_TO_TRACES_MESSAGE } from "./rejections.js";
import type { TDecodedLogs, TDecodedTraces, TOtlpContentType } from "./types.js";

const textDecoder = new TextDecoder();
const OPEN_BRACE = 0x7b;
const GZIP_MAGIC = [0x1f, 0x8b] as const;
const PROTOBUF_FIELD_1_LENGTH_DELIMITED = 0x0a;

/**
 * Decodes an OTLP/HTTP ExportTraceServiceRequest body (already decompressed). Spans with
 * invalid ids are dropped and counted in `rejected`; a body that cannot be decoded at all
 * throws `AppError("BAD_REQUEST")` and nothing else.
 */
export function decodeTraces(body: Uint8Array, contentType: TOtlpContentType): TDecodedTraces {
  return contentType === "json" ? decodeJsonTraces(body) : decodeProtobufTraces(body);
}

/** Decodes an OTLP/HTTP ExportLogsServiceRequest body; same contract as `decodeTraces`. */
export function decodeLogs(body: Uint8Array, contentType: TOtlpContentType): TDecodedLogs {
  return contentType === "json" ? decodeJsonLogs(body) : decodeProtobufLogs(body);
}

function decodeProtobufTraces(body: Uint8Array): TDecodedTraces {
  assertProtobufLooking(body);
  const result: TProtobufTraceDecode = { spans: [], rejected: createRejections(), idlessCount: 0 };
  try {
    decodeTraceRequest(createReader(body), result);
  } catch (error) {
    // A LogRecord's trace_id (field 9) lands on Span.attributes and usually fails to parse.
    if (isProtobufLogsRequest(body)) throw badRequest(LOGS_SENT_TO_TRACES_MESSAGE);
    throw toBadRequest(error, "ExportTraceServiceRequest");
  }
  // LogRecord fields never match Span's id tags and wire types, so logs decode as id-less spans.
  const isAllIdless = result.rejected.count > 0 && result.idlessCount === result.rejected.count;
  if (result.spans.length === 0 && isAllIdless && isProtobufLogsRequest(body)) {
    throw badRequest(LOGS_SENT_TO_TRACES_MESSAGE);
  }
  return { spans: result.spans, rejected: result.rejected };
}

function decodeProtobufLogs(body: Uint8Array): TDecodedLogs {
  assertProtobufLooking(body);
  const result: TProtobufLogsDecode = { logRecords: [], rejected: createRejections() };
  try {
    decodeLogsRequest(createReader(body), result);
  } catch (error) {
    throw toBadRequest(error, "ExportLogsServiceRequest");
  }
  return result;
}

function isProtobufLogsRequest(body: Uint8Array): boolean {
  const result: TProtobufLogsDecode = { logRecords: [], rejected: createRejections() };
  try {
    decodeLogsRequest(createReader(body), result);
  } catch {
    return false;
  }
  return result.logRecords.length > 0;
}

function decodeJsonTraces(body: Uint8Array): TDecodedTraces {
  const root = parseJsonBody(body);
  const hasSpans = root.resourceSpans !== undefined || root.resource_spans !== undefined;
  const hasLogs = root.resourceLogs !== undefined || root.resource_logs !== undefined;
  if (!hasSpans && hasLogs) throw badRequest(LOGS_SENT_TO_TRACES_MESSAGE);
  const result: TDecodedTraces = { spans: [], rejected: createRejections() };
  try {
    decodeJsonTraceRequest(root, result);
  } catch (error) {
    throw toBadRequest(error, "OTLP/JSON ExportTraceServiceRequest");
  }
  return result;
}

function decodeJsonLogs(body: Uint8Array): TDecodedLogs {
  const root = parseJsonBody(body);
  const result: TDecodedLogs = { logRecords: [], rejected: createRejections() };
  try {
    decodeJsonLogsRequest(root, result);
  } catch (error) {
    throw toBadRequest(error, "OTLP/JSON ExportLogsServiceRequest");
  }
  return result;
}

// BufferReader decodes strings with Node's native UTF-8 slice; a plain Uint8Array would get
// protobufjs's JavaScript decoder. The view shares memory, nothing is copied.
function createReader(body: Uint8Array): Reader {
  const buffer = Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  return Reader.create(buffer);
}

// A real request starts with resource_spans/resource_logs (field 1, length-delimited), so a
// first byte of `{` or the gzip magic is a client misconfiguration worth naming precisely.
function assertProtobufLooking(body: Uint8Array): void {
  if (body[0] === OPEN_BRACE) {
    throw badRequest("body looks like JSON but was sent as protobuf; use Content-Type: application/json");
  }
  if (body[0] === GZIP_MAGIC[0] && body[1] === GZIP_MAGIC[1]) {
    throw badRequest("body is gzip-compressed; send it with Content-Encoding: gzip");
  }
}

function parseJsonBody(body: Uint8Array): TJsonObject {
  let root: unknown;
  try {
    root = JSON.parse(textDecoder.decode(body));
  } catch (error) {
    const hint =
      body[0] === PROTOBUF_FIELD_1_LENGTH_DELIMITED
        ? " (it looks like protobuf; use Content-Type: application/x-protobuf)"
        : "";
    throw badRequest(`body is not valid JSON${hint}`, error);
  }
  if (typeof root !== "object" || root === null || Array.isArray(root)) {
    throw badRequest("OTLP/JSON body must be a JSON object");
  }
  return root as TJsonObject;
}

function toBadRequest(error: unknown, message: string): Error {
  if (isAppError(error)) return error;
  const detail = error instanceof Error ? error.message : String(error);
  return badRequest(`malformed ${message}: ${detail}`, error);
}
