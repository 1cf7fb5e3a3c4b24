import { JsonTraceSerializer, ProtobufLogsSerializer, ProtobufTraceSerializer } from "@opentelemetry/otlp-transformer";
import { describe, expect, it } from "vitest";
import { encodeLogsResponse, encodeTraceResponse } from "./index.js";

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
