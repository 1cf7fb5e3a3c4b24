import { JsonLogsSerializer, ProtobufLogsSerializer } from "@opentelemetry/otlp-transformer";
import { AppError } from "@spanlens/core";
import { describe, expect, it } from "vitest";
import { CHILD_SPAN_ID, createRealLogRecords, TRACE_ID } from "../test/real-payloads.js";
import { decodeLogs } from "./index.js";

const encodeJson = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

describe.each(["protobuf", "json"] as const)("decodeLogs on OTel JS SDK output (%s)", (contentType) => {
  const serializer = contentType === "protobuf" ? ProtobufLogsSerializer : JsonLogsSerializer;
  const body = serializer.serializeRequest(createRealLogRecords());
  if (!body) throw new Error("serializer produced no body");
  const decoded = decodeLogs(body, contentType);
  const [evaluation, plain] = decoded.logRecords;

  it("decodes both records and rejects none", () => {
    expect(decoded.rejected).toEqual({ count: 0, reasons: [] });
    expect(decoded.logRecords).toHaveLength(2);
  });

  it("decodes a gen_ai.evaluation.result event tied to its span", () => {
    expect(evaluation).toMatchObject({
      eventName: "gen_ai.evaluation.result",
      timeUnixNano: "1767225603000000001",
      observedTimeUnixNano: "1767225603000000999",
      severityNumber: 9,
      severityText: "INFO",
      body: { explanation: "on topic", scores: [1, 0.5] },
      attributes: {
        "gen_ai.evaluation.name": "relevance",
        "gen_ai.evaluation.score.value": 0.875,
        "gen_ai.evaluation.score.label": "pass",
      },
      traceId: TRACE_ID,
      spanId: CHILD_SPAN_ID,
      scope: { name: "spanlens-evals", version: "0.9.0", attributes: {} },
    });
    expect(evaluation?.resource).toMatchObject({ "service.name": "evaluator" });
  });

  it("leaves an uncorrelated record's ids null", () => {
    expect(plain).toMatchObject({
      body: "plain log line",
      severityNumber: 13,
      traceId: null,
      spanId: null,
      eventName: "",
    });
    expect(plain?.resource).toBe(evaluation?.resource);
  });
});

describe("decodeLogs validation", () => {
  const bodyWith = (logRecords: unknown[]) => encodeJson({ resourceLogs: [{ scopeLogs: [{ logRecords }] }] });

  it("rejects malformed trace context and treats empty or all-zero ids as absent", () => {
    const decoded = decodeLogs(
      bodyWith([
        { body: { stringValue: "ok" }, traceId: "", spanId: "0000000000000000" },
        { traceId: "abc" },
        { traceId: TRACE_ID, spanId: "xyz" },
      ]),
      "json",
    );
    expect(decoded.logRecords).toHaveLength(1);
    expect(decoded.logRecords[0]).toMatchObject({ body: "ok", traceId: null, spanId: null });
    expect(decoded.rejected).toEqual({
      count: 2,
      reasons: [
        "invalid traceId: must be empty or 32 hex characters",
        "invalid spanId: must be empty or 16 hex characters",
      ],
    });
  });

  it("accepts severity names and snake_case fields", () => {
    const body = encodeJson({
      resource_logs: [
        {
          scope_logs: [
            { log_records: [{ severity_number: "SEVERITY_NUMBER_ERROR2", event_name: "e", time_unix_nano: "7" }] },
          ],
        },
      ],
    });
    expect(decodeLogs(body, "json").logRecords[0]).toMatchObject({
      severityNumber: 18,
      eventName: "e",
      timeUnixNano: "7",
    });
  });

  it("throws BAD_REQUEST for a malformed body", () => {
    expect(() => decodeLogs(encodeJson({ resourceLogs: [{ scopeLogs: "x" }] }), "json")).toThrow(AppError);
    expect(() => decodeLogs(new Uint8Array([0x0a, 0x05, 0x12]), "protobuf")).toThrow(AppError);
  });
});
