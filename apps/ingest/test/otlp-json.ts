/** One OTLP/JSON span named "generate" whose `gen_ai.prompt` is `prompt`; `extra` overrides its fields. */
export function generationSpan(traceId: string, prompt: string, extra: Record<string, unknown> = {}) {
  return {
    traceId,
    spanId: "00f067aa0ba902b7",
    name: "generate",
    startTimeUnixNano: "1767225600000000000",
    endTimeUnixNano: "1767225601000000000",
    attributes: [{ key: "gen_ai.prompt", value: { stringValue: prompt } }],
    ...extra,
  };
}

/** An OTLP/JSON ExportTraceServiceRequest of `spans` under one empty resource and scope. */
export function otlpJsonExport(...spans: unknown[]): string {
  return JSON.stringify({ resourceSpans: [{ resource: {}, scopeSpans: [{ scope: {}, spans }] }] });
}
