import { JsonTraceSerializer, ProtobufLogsSerializer, ProtobufTraceSerializer } from "@opentelemetry/otlp-transformer";
import { describe, expect, it } from "vitest";
import { encodeFailureResponse, encodeLogsResponse, encodeTraceResponse } from "./index.js";
import { googleRpcTypes } from "./testing.js";

const decodeText = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

// The transformer's response deserializers are the ones real exporters run on our answer.
describe("encodeTraceResponse / encodeLogsResponse", () => {
  it("round-trips a protobuf partial success through the exporter's deserializer", () => {
    const traceBody = encodeTraceResponse("protobuf", { rejectedSpans: 3, errorMessage: "invalid trace_id" });
    expect(ProtobufTraceSerializer.deserializeResponse(traceBody)).toEqual({
      partialSuccess: { rejectedSpans: 3, errorMessage: "invalid trace_id" },
    });
    const logsBody = encodeLogsResponse("protobuf", { rejectedLogRecords: 300, errorMessage: "bad span_id" });
    expect(ProtobufLogsSerializer.deserializeResponse(logsBody)).toEqual({
      partialSuccess: { rejectedLogRecords: 300, errorMessage: "bad span_id" },
    });
  });

  it("encodes full success as an empty message", () => {
    expect(encodeTraceResponse("protobuf")).toHaveLength(0);
    expect(encodeTraceResponse("protobuf", { rejectedSpans: 0, errorMessage: "" })).toHaveLength(0);
    expect(decodeText(encodeTraceResponse("json"))).toBe("{}");
    expect(decodeText(encodeLogsResponse("json", { rejectedLogRecords: 0, errorMessage: "" }))).toBe("{}");
  });

  it("writes int64 counts as strings in JSON", () => {
    const body = encodeTraceResponse("json", { rejectedSpans: 2, errorMessage: "x" });
    expect(decodeText(body)).toBe('{"partialSuccess":{"rejectedSpans":"2","errorMessage":"x"}}');
    expect(JsonTraceSerializer.deserializeResponse(body)).toEqual({
      partialSuccess: { rejectedSpans: "2", errorMessage: "x" },
    });
    expect(decodeText(encodeLogsResponse("json", { rejectedLogRecords: 1, errorMessage: "" }))).toBe(
      '{"partialSuccess":{"rejectedLogRecords":"1"}}',
    );
  });

  it("keeps a warning without rejections", () => {
    const body = encodeTraceResponse("protobuf", { rejectedSpans: 0, errorMessage: "attributes truncated" });
    expect(ProtobufTraceSerializer.deserializeResponse(body)).toEqual({
      partialSuccess: { errorMessage: "attributes truncated" },
    });
  });
});

describe("encodeFailureResponse", () => {
  const statusType = googleRpcTypes.lookupType("google.rpc.Status");
  const decodeStatus = (bytes: Uint8Array) => statusType.toObject(statusType.decode(bytes), { defaults: true });

  it("answers a protobuf request with a google.rpc.Status carrying the failure's gRPC code", () => {
    const cases = [
      [400, 3],
      [401, 16],
      [404, 5],
      [405, 12],
      [408, 4],
      [413, 8],
      [415, 3],
      [429, 8],
      [503, 14],
      [500, 13],
    ] as const;
    for (const [httpStatus, grpcCode] of cases) {
      const body = encodeFailureResponse("protobuf", httpStatus, {
        code: "BAD_REQUEST",
        message: "ünïcode: what failed",
      });
      expect(decodeStatus(body)).toEqual({ code: grpcCode, message: "ünïcode: what failed", details: [] });
    }
  });

  it("answers a JSON request with the Status's JSON mapping beside the Spanlens error object", () => {
    const body = encodeFailureResponse("json", 413, { code: "PAYLOAD_TOO_LARGE", message: "too big" });
    const parsed = JSON.parse(decodeText(body));
    expect(parsed).toEqual({ code: 8, message: "too big", error: { code: "PAYLOAD_TOO_LARGE", message: "too big" } });
  });
});
