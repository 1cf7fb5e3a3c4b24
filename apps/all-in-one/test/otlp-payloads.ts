import { randomBytes } from "node:crypto";
import { context, ROOT_CONTEXT, SeverityNumber, SpanKind, trace } from "@opentelemetry/api";
import {
  JsonLogsSerializer,
  JsonTraceSerializer,
  ProtobufLogsSerializer,
  ProtobufTraceSerializer,
} from "@opentelemetry/otlp-transformer";
import { resourceFromAttributes } from "@opentelemetry/resources";
import {
  InMemoryLogRecordExporter,
  LoggerProvider,
  type LogRecordExporter,
  SimpleLogRecordProcessor,
} from "@opentelemetry/sdk-logs";
import {
  type IdGenerator,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
  TracerProvider,
} from "@opentelemetry/sdk-trace";

/** Tokens each generation span of {@link createTraceSpans} reports (input + output). */
export const TOKENS_PER_GENERATION = 15;

function finishedSpans(
  idGenerator: IdGenerator | undefined,
  emit: (provider: TracerProvider) => void,
  resource: Record<string, string> = { "service.name": "fault-injector" },
): ReadableSpan[] {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({
    resource: resourceFromAttributes(resource),
    spanProcessors: [new SimpleSpanProcessor({ exporter })],
    ...(idGenerator ? { idGenerator } : {}),
  });
  emit(provider);
  return exporter.getFinishedSpans();
}

/**
 * One trace of `spanCount` spans made by the real SDK: a root and `spanCount - 1`
 * generations of {@link TOKENS_PER_GENERATION} tokens each. `padding` bloats an attribute.
 */
export function createTraceSpans(spanCount: number, padding = 0): ReadableSpan[] {
  return finishedSpans(undefined, (provider) => {
    const tracer = provider.getTracer("fault-injector");
    const root = tracer.startSpan("batch_job", { kind: SpanKind.SERVER });
    const parent = trace.setSpan(context.active(), root);
    for (let index = 1; index < spanCount; index += 1) {
      tracer
        .startSpan(
          `chat gpt-4o-mini #${index}`,
          {
            kind: SpanKind.CLIENT,
            attributes: {
              "gen_ai.operation.name": "chat",
              "gen_ai.provider.name": "openai",
              "gen_ai.request.model": "gpt-4o-mini",
              "gen_ai.usage.input_tokens": 10,
              "gen_ai.usage.output_tokens": 5,
              ...(padding > 0 ? { "app.padding": "x".repeat(padding) } : {}),
            },
          },
          parent,
        )
        .end();
    }
    root.end();
  });
}

/**
 * `count` spans of one trace, as small as the SDK makes them (a name, no attributes), under
 * one resource with `resource`'s attributes: 74 bytes a span as protobuf with a small resource.
 */
export function createSmallSpans(count: number, resource: Record<string, string>): ReadableSpan[] {
  return finishedSpans(
    undefined,
    (provider) => {
      const tracer = provider.getTracer("fault-injector");
      const root = tracer.startSpan("bulk");
      const parent = trace.setSpan(context.active(), root);
      for (let index = 1; index < count; index += 1) tracer.startSpan(`s${index}`, {}, parent).end();
      root.end();
    },
    resource,
  );
}

/** One chat span whose `gen_ai.input.messages` holds `count` short user messages. */
export function createMessagesSpan(count: number): ReadableSpan[] {
  const messages = Array.from({ length: count }, (_, index) => ({ role: "user", content: `message ${index}` }));
  return finishedSpans(undefined, (provider) => {
    provider
      .getTracer("fault-injector")
      .startSpan("chat gpt-4o-mini", {
        kind: SpanKind.CLIENT,
        attributes: { "gen_ai.operation.name": "chat", "gen_ai.input.messages": JSON.stringify(messages) },
      })
      .end();
  });
}

/** Two single-span traces, the second with an all-zero trace id that a receiver must reject. */
export function createSpansWithOneBadTraceId(): ReadableSpan[] {
  const traceIds = [randomBytes(16).toString("hex"), "0".repeat(32)];
  const idGenerator: IdGenerator = {
    generateTraceId: () => traceIds.shift() ?? randomBytes(16).toString("hex"),
    generateSpanId: () => randomBytes(8).toString("hex"),
  };
  return finishedSpans(idGenerator, (provider) => {
    const tracer = provider.getTracer("fault-injector");
    tracer.startSpan("valid").end();
    tracer.startSpan("zero trace id").end();
  });
}

export function toJsonBody(spans: ReadableSpan[]): Uint8Array {
  const body = JsonTraceSerializer.serializeRequest(spans);
  if (!body) throw new Error("JSON serializer returned nothing");
  return body;
}

export function toProtobufBody(spans: ReadableSpan[]): Uint8Array {
  const body = ProtobufTraceSerializer.serializeRequest(spans);
  if (!body) throw new Error("protobuf serializer returned nothing");
  return body;
}

/**
 * Emits one `gen_ai.evaluation.result` log record parented to `target` through the official
 * logs SDK into `exporter`; flush the returned provider to wait for the export.
 */
export function emitEvaluationResult(
  exporter: LogRecordExporter,
  target: { traceId: string; spanId: string },
): LoggerProvider {
  const provider = new LoggerProvider({
    resource: resourceFromAttributes({ "service.name": "evaluator" }),
    processors: [new SimpleLogRecordProcessor({ exporter })],
  });
  provider.getLogger("spanlens-evals").emit({
    eventName: "gen_ai.evaluation.result",
    severityNumber: SeverityNumber.INFO,
    attributes: {
      "gen_ai.evaluation.name": "faithfulness",
      "gen_ai.evaluation.score.value": 0.75,
      "gen_ai.evaluation.score.label": "mostly_faithful",
      "gen_ai.evaluation.explanation": "One claim is not in the context.",
    },
    context: trace.setSpanContext(ROOT_CONTEXT, { ...target, traceFlags: 1 }),
  });
  return provider;
}

/** The record of {@link emitEvaluationResult} as the official SDK serializes it. */
export function createEvaluationLogBody(
  target: { traceId: string; spanId: string },
  encoding: "json" | "protobuf" = "json",
): Uint8Array {
  const exporter = new InMemoryLogRecordExporter();
  emitEvaluationResult(exporter, target);
  const serializer = encoding === "json" ? JsonLogsSerializer : ProtobufLogsSerializer;
  const body = serializer.serializeRequest(exporter.getFinishedLogRecords());
  if (!body) throw new Error("logs serializer returned nothing");
  return body;
}
