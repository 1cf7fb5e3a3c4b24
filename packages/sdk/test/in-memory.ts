import { InMemorySpanExporter, type ReadableSpan } from "@opentelemetry/sdk-trace";
import { flush, init, shutdown } from "../src/index.js";

/** `init()` with an in-memory exporter: the real provider, processors and context manager. */
export function startInMemoryTracing(): {
  exporter: InMemorySpanExporter;
  finishedSpans(): Promise<ReadableSpan[]>;
  stop(): Promise<void>;
} {
  const exporter = new InMemorySpanExporter();
  init({ exporter, serviceName: "sdk-test", flushOnExit: false, scheduledDelayMillis: 10 });
  return {
    exporter,
    async finishedSpans() {
      await flush();
      return exporter.getFinishedSpans();
    },
    stop: shutdown,
  };
}

export function spanNamed(spans: readonly ReadableSpan[], name: string): ReadableSpan {
  const span = spans.find((candidate) => candidate.name === name);
  if (!span) throw new Error(`no span named ${name}; got ${spans.map((candidate) => candidate.name).join(", ")}`);
  return span;
}

export const jsonAttribute = (span: ReadableSpan, key: string): unknown => JSON.parse(String(span.attributes[key]));
