import {
  JsonLogsSerializer,
  JsonTraceSerializer,
  ProtobufLogsSerializer,
  ProtobufTraceSerializer,
} from "@opentelemetry/otlp-transformer";
import { AppError } from "@spanlens/core";
import { describe, expect, it } from "vitest";
import {
  CHILD_SPAN_ID,
  createRealLogRecords,
  createRealSpans,
  INPUT_MESSAGES,
  LINKED_SPAN_ID,
  LINKED_TRACE_ID,
  ROOT_SPAN_ID,
  TRACE_ID,
} from "../test/real-payloads.js";
import { decodeTraces } from "./index.js";

function requireBody(body: Uint8Array | undefined): Uint8Array {
  if (!body) throw new Error("serializer produced no body");
  return body;
}

const encodeJson = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

function expectBadRequest(run: () => unknown, message: string | RegExp): void {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: "BAD_REQUEST", status: 400 });
    expect((error as AppError).message).toMatch(message);
    return;
  }
  throw new Error("expected a BAD_REQUEST AppError");
}

describe.each(["protobuf", "json"] as const)("decodeTraces on OTel JS SDK output (%s)", (contentType) => {
  const spans = createRealSpans();
  const serializer = contentType === "protobuf" ? ProtobufTraceSerializer : JsonTraceSerializer;
  const decoded = decodeTraces(requireBody(serializer.serializeRequest(spans)), contentType);
  const root = decoded.spans.find((span) => span.spanId === ROOT_SPAN_ID);
  const child = decoded.spans.find((span) => span.spanId === CHILD_SPAN_ID);

  it("decodes every span and rejects none", () => {
    expect(decoded.rejected).toEqual({ count: 0, reasons: [] });
    expect(decoded.spans).toHaveLength(2);
  });

  it("keeps ids, parentage, kind and nanosecond times exact", () => {
    expect(root).toMatchObject({
      traceId: TRACE_ID,
      parentSpanId: null,
      name: "invoke_agent support",
      kind: 2,
      startTimeUnixNano: "1767225600123456789",
      endTimeUnixNano: "1767225602987654321",
      status: { code: 1, message: "" },
    });
    expect(child).toMatchObject({
      traceId: TRACE_ID,
      parentSpanId: ROOT_SPAN_ID,
      name: "chat gpt-4o",
      kind: 3,
      startTimeUnixNano: "1767225600500000001",
      endTimeUnixNano: "1767225601999999999",
      status: { code: 2, message: "upstream said no" },
    });
  });

  it("decodes scalar, array, int64 and structured attribute values", () => {
    expect(root?.attributes).toEqual({
      "gen_ai.operation.name": "invoke_agent",
      "app.flag": true,
      "gen_ai.usage.input_tokens": 42,
      "app.ratio": 0.25,
      "app.tags": ["a", "b"],
      "app.big": "1152921504606846976",
      "app.negative": -7,
      "gen_ai.input.messages": INPUT_MESSAGES,
    });
  });

  it("decodes the exception event and the link", () => {
    expect(child?.events).toHaveLength(1);
    expect(child?.events[0]).toMatchObject({
      name: "exception",
      timeUnixNano: "1767225601000000005",
      attributes: { "exception.type": "TypeError", "exception.message": "upstream said no" },
    });
    expect(child?.events[0]?.attributes["exception.stacktrace"]).toContain("TypeError: upstream said no");
    expect(child?.links).toEqual([
      { traceId: LINKED_TRACE_ID, spanId: LINKED_SPAN_ID, attributes: { "link.reason": "retry" } },
    ]);
  });

  it("attaches resource and scope, shared between the spans of one resource", () => {
    expect(root?.resource).toMatchObject({ "service.name": "checkout", "service.version": "4.2.0" });
    expect(root?.scope).toEqual({ name: "spanlens-test", version: "1.2.3", attributes: {} });
    expect(child?.resource).toBe(root?.resource);
  });

  it("names a logs export sent to /v1/traces", () => {
    const logsSerializer = contentType === "protobuf" ? ProtobufLogsSerializer : JsonLogsSerializer;
    const logsBody = requireBody(logsSerializer.serializeRequest(createRealLogRecords()));
    expectBadRequest(
      () => decodeTraces(logsBody, contentType),
      /looks like an OTLP logs export.*send logs to \/v1\/logs/,
    );
  });

  it("accepts an empty request", () => {
    const empty = contentType === "protobuf" ? new Uint8Array(0) : encodeJson({});
    expect(decodeTraces(empty, contentType)).toEqual({ spans: [], rejected: { count: 0, reasons: [] } });
  });
});

describe("decodeTraces validation", () => {
  const validSpan = {
    traceId: TRACE_ID,
    spanId: ROOT_SPAN_ID,
    name: "ok",
    startTimeUnixNano: "1",
    endTimeUnixNano: "2",
  };
  const bodyWith = (spans: unknown[]) => encodeJson({ resourceSpans: [{ scopeSpans: [{ spans }] }] });

  it("rejects spans with missing, short or all-zero ids and keeps the rest", () => {
    const decoded = decodeTraces(
      bodyWith([
        validSpan,
        { ...validSpan, traceId: "" },
        { ...validSpan, traceId: "abcd" },
        { ...validSpan, traceId: "0".repeat(32) },
        { ...validSpan, spanId: "0".repeat(16) },
        { ...validSpan, parentSpanId: "abc" },
      ]),
      "json",
    );
    expect(decoded.spans.map((span) => span.name)).toEqual(["ok"]);
    expect(decoded.rejected.count).toBe(5);
    expect(decoded.rejected.reasons).toEqual([
      "invalid traceId: must be 32 hex characters and not all zero",
      "invalid spanId: must be 16 hex characters and not all zero",
      "invalid parentSpanId: must be empty or 16 hex characters",
    ]);
  });

  it("accepts snake_case keys, enum names, int64 strings, upper-case hex and base64 ids", () => {
    const body = encodeJson({
      resource_spans: [
        {
          resource: { attributes: [{ key: "service.name", value: { string_value: "py" } }] },
          scope_spans: [
            {
              scope: { name: "s" },
              spans: [
                {
                  trace_id: Buffer.from(TRACE_ID, "hex").toString("base64"),
                  span_id: ROOT_SPAN_ID.toUpperCase(),
                  parent_span_id: "0000000000000000",
                  name: "n",
                  kind: "SPAN_KIND_CLIENT",
                  start_time_unix_nano: 1767225600123456,
                  end_time_unix_nano: "1767225600123456789",
                  attributes: [
                    { key: "i", value: { int_value: "9007199254740993" } },
                    { key: "j", value: { intValue: "-12" } },
                    { key: "d", value: { doubleValue: "NaN" } },
                    { key: "b", value: { bytesValue: "AQID" } },
                    { key: "e", value: {} },
                    { key: "kv", value: { kvlist_value: { values: [{ key: "x", value: { bool_value: false } }] } } },
                  ],
                  status: { code: "STATUS_CODE_ERROR" },
                },
              ],
            },
          ],
        },
      ],
    });
    const [span] = decodeTraces(body, "json").spans;
    expect(span).toMatchObject({
      traceId: TRACE_ID,
      spanId: ROOT_SPAN_ID,
      parentSpanId: null,
      kind: 3,
      startTimeUnixNano: "1767225600123456",
      endTimeUnixNano: "1767225600123456789",
      status: { code: 2, message: "" },
      resource: { "service.name": "py" },
    });
    expect(span?.attributes).toEqual({
      i: "9007199254740993",
      j: -12,
      d: Number.NaN,
      b: new Uint8Array([1, 2, 3]),
      e: null,
      kv: { x: false },
    });
  });

  it("keeps a __proto__ attribute key as data", () => {
    const body = bodyWith([
      {
        ...validSpan,
        attributes: [
          { key: "__proto__", value: { kvlistValue: { values: [{ key: "polluted", value: { boolValue: true } }] } } },
        ],
      },
    ]);
    const [span] = decodeTraces(body, "json").spans;
    expect(Object.getPrototypeOf(span?.attributes)).toBe(Object.prototype);
    expect(Object.keys(span?.attributes ?? {})).toEqual(["__proto__"]);
  });

  it.each([
    ["not JSON", "{", /not valid JSON/],
    ["a JSON array", "[]", /must be a JSON object/],
    ["resourceSpans not an array", '{"resourceSpans":{}}', /resourceSpans must be an array/],
    [
      "a span that is not an object",
      '{"resourceSpans":[{"scopeSpans":[{"spans":[1]}]}]}',
      /spans\[0\]: span must be an object/,
    ],
    [
      "a non-numeric time",
      JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [{ ...validSpan, startTimeUnixNano: "soon" }] }] }] }),
      /unsigned decimal nanoseconds/,
    ],
    [
      "an unknown enum name",
      JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [{ ...validSpan, kind: "SPAN_KIND_X" }] }] }] }),
      /kind must be an enum/,
    ],
    ["protobuf sent as JSON", "\n\u0000", /looks like protobuf/],
  ])("throws BAD_REQUEST for %s", (_label, text, message) => {
    expectBadRequest(() => decodeTraces(new TextEncoder().encode(text), "json"), message);
  });

  it("throws BAD_REQUEST for JSON or gzip sent as protobuf and for truncated protobuf", () => {
    expectBadRequest(() => decodeTraces(encodeJson({ resourceSpans: [] }), "protobuf"), /looks like JSON/);
    expectBadRequest(() => decodeTraces(new Uint8Array([0x1f, 0x8b, 8, 0]), "protobuf"), /gzip/);
    const body = requireBody(ProtobufTraceSerializer.serializeRequest(createRealSpans()));
    expectBadRequest(() => decodeTraces(body.subarray(0, body.length - 3), "protobuf"), /truncated|malformed/);
  });

  it("rejects AnyValue nesting beyond the depth limit", () => {
    let value: unknown = { stringValue: "leaf" };
    for (let i = 0; i < 40; i++) value = { arrayValue: { values: [value] } };
    const body = bodyWith([{ ...validSpan, attributes: [{ key: "deep", value }] }]);
    expectBadRequest(() => decodeTraces(body, "json"), /nested deeper/);
  });
});
