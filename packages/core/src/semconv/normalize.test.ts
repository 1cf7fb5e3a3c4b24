import { describe, expect, it } from "vitest";
import type { TOtlpAttributes, TOtlpLogRecord, TOtlpSpan } from "../otlp-types.js";
import { parseTags } from "./conventions/langfuse.js";
import { normalizeEvaluationLog } from "./evaluation.js";
import { NORMALIZATION_ERROR_ATTRIBUTE, normalizeSpan, normalizeSpanOrKeep } from "./normalize.js";

function spanWith(attributes: TOtlpAttributes, overrides: Partial<TOtlpSpan> = {}): TOtlpSpan {
  return {
    traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
    spanId: "00f067aa0ba902b7",
    parentSpanId: null,
    name: "work",
    kind: 1,
    startTimeUnixNano: "1767225600000000500",
    endTimeUnixNano: "1767225600001000000",
    attributes,
    events: [],
    links: [],
    status: { code: 0, message: "" },
    resource: {},
    scope: { name: "", version: "", attributes: {} },
    ...overrides,
  };
}

describe("unmapped attributes", () => {
  it("keeps every attribute no mapping used, JSON-encoding non-strings and base64-encoding bytes", () => {
    const { attributes } = normalizeSpan(
      spanWith({
        "http.route": "/chat",
        "app.retries": 3,
        "app.flags": ["a", "b"],
        "app.nested": { depth: { level: 2 } },
        "app.blob": new Uint8Array([1, 2, 3]),
        "app.nothing": null,
        "gen_ai.request.model": "gpt-4o",
      }),
    );
    expect(attributes).toEqual({
      "http.route": "/chat",
      "app.retries": "3",
      "app.flags": '["a","b"]',
      "app.nested": '{"depth":{"level":2}}',
      "app.blob": '"AQID"',
    });
  });

  it("keeps the losing source of a field instead of dropping it", () => {
    const span = normalizeSpan(spanWith({ "gen_ai.response.model": "gpt-4o-2024-08-06", "llm.model_name": "gpt-4o" }));
    expect(span.model).toBe("gpt-4o-2024-08-06");
    expect(span.attributes).toEqual({ "llm.model_name": "gpt-4o" });
  });
});

describe("gen_ai.input.messages encodings", () => {
  const messages = [
    { role: "user", parts: [{ type: "text", content: "Hi" }] },
    { role: "tool", parts: [{ type: "tool_call_response", id: "c1", response: { ok: true } }] },
  ];

  it("decodes a JSON string (OTel JS 2.x) and a structured AnyValue (3.x) the same way", () => {
    const fromJson = normalizeSpan(spanWith({ "gen_ai.input.messages": JSON.stringify(messages) }));
    const fromStructured = normalizeSpan(spanWith({ "gen_ai.input.messages": messages }));
    expect(fromJson.inputMessages).toEqual([
      { role: "user", content: "Hi" },
      { role: "tool", content: '{"ok":true}', toolCallId: "c1" },
    ]);
    expect(fromStructured.inputMessages).toEqual(fromJson.inputMessages);
  });

  it("leaves unparseable message text in attributes rather than guessing", () => {
    const span = normalizeSpan(spanWith({ "gen_ai.input.messages": "[{truncated" }));
    expect(span.inputMessages).toEqual([]);
    expect(span.attributes["gen_ai.input.messages"]).toBe("[{truncated");
  });
});

describe("kind", () => {
  it("lets spanlens.span.kind win over every other convention", () => {
    const span = normalizeSpan(spanWith({ "spanlens.span.kind": "guardrail", "openinference.span.kind": "LLM" }));
    expect(span.kind).toBe("guardrail");
  });

  it("does not let Langfuse's default `span` type hide a more specific kind", () => {
    const span = normalizeSpan(
      spanWith({ "langfuse.observation.type": "span", "gen_ai.operation.name": "execute_tool" }),
    );
    expect(span.kind).toBe("tool");
  });

  it("falls back to generation when only a model is present", () => {
    expect(normalizeSpan(spanWith({ "ai.model.id": "gpt-4o" })).kind).toBe("generation");
    expect(normalizeSpan(spanWith({})).kind).toBe("span");
  });
});

describe("cost", () => {
  it("prefers a reported cost over the price table", () => {
    const span = normalizeSpan(
      spanWith({
        "gen_ai.request.model": "gpt-4o",
        "gen_ai.usage.input_tokens": 1000,
        "llm.cost.prompt": 0.01,
        "llm.cost.completion": 0.02,
      }),
    );
    expect(span.cost).toMatchObject({ input: 0.01, output: 0.02, total: 0.03, source: "reported" });
  });

  it("accepts gen_ai.usage.cost as a reported total and uses a custom price table", () => {
    expect(normalizeSpan(spanWith({ "gen_ai.usage.cost": 0.5 })).cost).toMatchObject({
      total: 0.5,
      source: "reported",
    });
    const priceTable = {
      version: "custom",
      currency: "USD" as const,
      models: [{ id: "x", pattern: "^x$", providers: [], input: 1, output: 1, cacheRead: 1, cacheWrite: 1 }],
    };
    const span = normalizeSpan(spanWith({ "gen_ai.request.model": "x", "gen_ai.usage.input_tokens": 1_000_000 }), {
      priceTable,
    });
    expect(span.cost).toMatchObject({ total: 1, source: "computed", priceVersion: "custom" });
  });
});

describe("tags", () => {
  it("parses Langfuse tags as an array, a JSON array text or comma-separated text", () => {
    expect(parseTags(["a", "b"])).toEqual(["a", "b"]);
    expect(parseTags('["a", "domain:hr"]')).toEqual(["a", "domain:hr"]);
    expect(parseTags("a, b ,,c")).toEqual(["a", "b", "c"]);
    expect(parseTags(null)).toBeNull();
  });

  it("merges tag sources without duplicates", () => {
    const span = normalizeSpan(spanWith({ "tag.tags": ["x", "y"], "langfuse.trace.tags": '["y","z"]' }));
    expect(span.tags).toEqual(["x", "y", "z"]);
  });
});

describe("identity and context", () => {
  it("reads user and session from Vercel AI SDK 7 call context and keeps the rest as metadata", () => {
    const span = normalizeSpan(
      spanWith({
        "ai.settings.context.userId": "u",
        "ai.settings.context.sessionId": "s",
        "ai.settings.context.org": "o",
      }),
    );
    expect(span).toMatchObject({ userId: "u", sessionId: "s", metadata: { org: "o" }, attributes: {} });
  });

  it("takes the environment from the span before the resource", () => {
    const span = normalizeSpan(
      spanWith(
        { "deployment.environment.name": "canary" },
        { resource: { "deployment.environment.name": "prod", "service.name": "api" } },
      ),
    );
    expect(span).toMatchObject({ environment: "canary", serviceName: "api" });
  });
});

describe("time and status", () => {
  it("keeps sub-millisecond duration from nanosecond strings", () => {
    const span = normalizeSpan(spanWith({}));
    expect(span).toMatchObject({ startTime: 1767225600000, endTime: 1767225600001, durationMs: 0.9995 });
  });

  it("treats Langfuse ERROR level as an error when the OTel status is unset", () => {
    const span = normalizeSpan(
      spanWith({ "langfuse.observation.level": "ERROR", "langfuse.observation.status_message": "tool failed" }),
    );
    expect(span).toMatchObject({
      statusCode: "error",
      statusMessage: "tool failed",
      error: { type: null, message: "tool failed", stacktrace: null },
    });
  });
});

describe("normalizeEvaluationLog", () => {
  const log: TOtlpLogRecord = {
    timeUnixNano: "1767225600000000000",
    observedTimeUnixNano: "1767225600000000000",
    severityNumber: 9,
    severityText: "INFO",
    eventName: "gen_ai.evaluation.result",
    body: null,
    attributes: {
      "gen_ai.evaluation.name": "relevance",
      "gen_ai.evaluation.score.value": 0.75,
      "gen_ai.evaluation.score.label": "relevant",
      "gen_ai.evaluation.explanation": "Mostly on topic.",
    },
    traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
    spanId: "00f067aa0ba902b7",
    resource: {},
    scope: { name: "", version: "", attributes: {} },
  };

  it("turns an evaluation event into a score on its parent span", () => {
    expect(normalizeEvaluationLog(log)).toEqual({
      traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
      spanId: "00f067aa0ba902b7",
      name: "relevance",
      value: 0.75,
      label: "relevant",
      comment: "Mostly on topic.",
      scope: "span",
      source: "otlp",
    });
  });

  it("scores the trace when the record has no span, and ignores other records", () => {
    expect(normalizeEvaluationLog({ ...log, spanId: null })).toMatchObject({ spanId: null, scope: "trace" });
    expect(normalizeEvaluationLog({ ...log, eventName: "gen_ai.client.inference.operation.details" })).toBeNull();
    expect(normalizeEvaluationLog({ ...log, traceId: null })).toBeNull();
  });
});

describe("normalizeSpanOrKeep", () => {
  const chat = spanWith(
    {
      "gen_ai.operation.name": "chat",
      "gen_ai.provider.name": "openai",
      "gen_ai.request.model": "gpt-4o",
      "gen_ai.usage.input_tokens": 10,
      "app.retries": 3,
    },
    {
      status: { code: 2, message: "upstream timed out" },
      resource: { "service.name": "rag-api" },
      events: [{ name: "retry", timeUnixNano: "1767225600000500000", attributes: { attempt: 2 } }],
    },
  );

  it("is normalizeSpan when that succeeds", () => {
    expect(normalizeSpanOrKeep(chat)).toEqual(normalizeSpan(chat));
  });

  it("keeps a span whose normalizing throws as sent, naming the failure, instead of failing its request", () => {
    // A price table that fails when read, as any mapping could on a shape it did not expect.
    const failing = {
      version: "broken",
      currency: "USD" as const,
      get models(): never {
        throw new TypeError("Cannot read properties of undefined (reading 'pattern')");
      },
    };
    expect(() => normalizeSpan(chat, { priceTable: failing })).toThrow(TypeError);
    const kept = normalizeSpanOrKeep(chat, { priceTable: failing });
    expect(kept).toMatchObject({
      traceId: chat.traceId,
      spanId: chat.spanId,
      name: "work",
      kind: "span",
      otelKind: "internal",
      startTime: 1767225600000,
      endTime: 1767225600001,
      statusCode: "error",
      statusMessage: "upstream timed out",
      serviceName: "rag-api",
      usage: null,
      events: [{ name: "retry", time: 1767225600000, attributes: '{"attempt":2}' }],
      attributes: {
        "gen_ai.operation.name": "chat",
        "gen_ai.request.model": "gpt-4o",
        "gen_ai.usage.input_tokens": "10",
        "app.retries": "3",
        [NORMALIZATION_ERROR_ATTRIBUTE]: "Cannot read properties of undefined (reading 'pattern')",
      },
      resourceAttributes: { "service.name": "rag-api" },
    });
  });
});
