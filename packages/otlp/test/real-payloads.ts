import { ROOT_CONTEXT, SeverityNumber, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from "@opentelemetry/sdk-logs";
import {
  type IdGenerator,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
  TracerProvider,
} from "@opentelemetry/sdk-trace";

/** Real OTel JS SDK output for the decoder tests: what an exporter would serialize. */

// Leading zero bytes in the ids catch any hex conversion that drops padding.
export const TRACE_ID = "00000000000000000a1b2c3d4e5f6071";
export const ROOT_SPAN_ID = "00000000000000a1";
export const CHILD_SPAN_ID = "00000000000000a2";
export const LINKED_TRACE_ID = "fedcba98765432100123456789abcdef";
export const LINKED_SPAN_ID = "0123456789abcdef";

// 2026-01-01T00:00:00Z plus sub-millisecond nanoseconds: a double of nanoseconds would round these.
export const ROOT_START: [number, number] = [1767225600, 123456789];
export const ROOT_END: [number, number] = [1767225602, 987654321];
export const CHILD_START: [number, number] = [1767225600, 500000001];
export const CHILD_END: [number, number] = [1767225601, 999999999];
export const EXCEPTION_TIME: [number, number] = [1767225601, 5];

export const INPUT_MESSAGES = [
  { role: "system", parts: [{ type: "text", content: "Be brief." }] },
  { role: "user", parts: [{ type: "text", content: "Hi" }] },
];

function createIdGenerator(): IdGenerator {
  const spanIds = [ROOT_SPAN_ID, CHILD_SPAN_ID];
  return {
    generateTraceId: () => TRACE_ID,
    generateSpanId: () => spanIds.shift() ?? "00000000000000ff",
  };
}

export function createRealSpans(): ReadableSpan[] {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ "service.name": "checkout", "service.version": "4.2.0" }),
    idGenerator: createIdGenerator(),
    spanProcessors: [new SimpleSpanProcessor({ exporter })],
  });
  const tracer = provider.getTracer("spanlens-test", "1.2.3");

  const root = tracer.startSpan("invoke_agent support", {
    kind: SpanKind.SERVER,
    startTime: ROOT_START,
    attributes: {
      "gen_ai.operation.name": "invoke_agent",
      "app.flag": true,
      "gen_ai.usage.input_tokens": 42,
      "app.ratio": 0.25,
      "app.tags": ["a", "b"],
      "app.big": 2 ** 60,
      "app.negative": -7,
      "gen_ai.input.messages": INPUT_MESSAGES,
    },
  });
  root.setStatus({ code: SpanStatusCode.OK });
  root.end(ROOT_END);

  const child = tracer.startSpan(
    "chat gpt-4o",
    {
      kind: SpanKind.CLIENT,
      startTime: CHILD_START,
      attributes: { "gen_ai.request.model": "gpt-4o" },
      links: [
        {
          context: { traceId: LINKED_TRACE_ID, spanId: LINKED_SPAN_ID, traceFlags: 1 },
          attributes: { "link.reason": "retry" },
        },
      ],
    },
    trace.setSpan(ROOT_CONTEXT, root),
  );
  const error = new TypeError("upstream said no");
  child.recordException(error, EXCEPTION_TIME);
  child.setStatus({ code: SpanStatusCode.ERROR, message: "upstream said no" });
  child.end(CHILD_END);

  return exporter.getFinishedSpans();
}

export const LOG_TIME: [number, number] = [1767225603, 1];
export const LOG_OBSERVED_TIME: [number, number] = [1767225603, 999];

export function createRealLogRecords() {
  const exporter = new InMemoryLogRecordExporter();
  const provider = new LoggerProvider({
    resource: resourceFromAttributes({ "service.name": "evaluator" }),
    processors: [new SimpleLogRecordProcessor({ exporter })],
  });
  const logger = provider.getLogger("spanlens-evals", "0.9.0");
  const spanContext = { traceId: TRACE_ID, spanId: CHILD_SPAN_ID, traceFlags: 1 };
  logger.emit({
    eventName: "gen_ai.evaluation.result",
    timestamp: LOG_TIME,
    observedTimestamp: LOG_OBSERVED_TIME,
    severityNumber: SeverityNumber.INFO,
    severityText: "INFO",
    body: { explanation: "on topic", scores: [1, 0.5] },
    attributes: {
      "gen_ai.evaluation.name": "relevance",
      "gen_ai.evaluation.score.value": 0.875,
      "gen_ai.evaluation.score.label": "pass",
    },
    context: trace.setSpanContext(ROOT_CONTEXT, spanContext),
  });
  // A record without trace context: correlation ids must come back as null, not "".
  logger.emit({ timestamp: LOG_TIME, severityNumber: SeverityNumber.WARN, body: "plain log line" });
  return exporter.getFinishedLogRecords();
}
