import { isSpanContextValid, trace } from "@opentelemetry/api";

/** The 32-hex trace id of the active span (to attach feedback later), or null outside a trace. */
export function getCurrentTraceId(): string | null {
  const spanContext = trace.getActiveSpan()?.spanContext();
  return spanContext && isSpanContextValid(spanContext) ? spanContext.traceId : null;
}

/** The 16-hex id of the active span, or null outside a trace. */
export function getCurrentSpanId(): string | null {
  const spanContext = trace.getActiveSpan()?.spanContext();
  return spanContext && isSpanContextValid(spanContext) ? spanContext.spanId : null;
}
