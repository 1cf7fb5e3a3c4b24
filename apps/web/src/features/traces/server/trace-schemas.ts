import { z } from "zod";

const ZHexTraceId = z.string().regex(/^[0-9a-f]{32}$/, "expected 32 lowercase hex characters");

export { ZTraceListQuery as ZListTracesQuery } from "../lib/trace-filter-query";

export const ZTraceSummary = z
  .object({
    traceId: z.string(),
    name: z.string(),
    startTime: z.string(),
    endTime: z.string(),
    durationMs: z.number(),
    spanCount: z.number().int(),
    errorCount: z.number().int(),
    totalTokens: z.number(),
    totalCost: z.number().meta({ description: "USD; spans whose usage rolls up children are not counted twice" }),
    userId: z.string().nullable(),
    sessionId: z.string().nullable(),
    environment: z.string().nullable(),
    release: z.string().nullable(),
    tags: z.array(z.string()),
    models: z.array(z.string()),
    scores: z
      .array(z.object({ name: z.string(), average: z.number().nullable(), count: z.number().int() }))
      .meta({ description: "Per score name: the average of the trace's scores and how many there are" }),
  })
  .meta({ id: "TraceSummary" });

export const ZListTracesResponse = z
  .object({ data: z.array(ZTraceSummary), nextCursor: z.string().nullable() })
  .meta({ id: "TraceList" });

export const ZTraceParams = z.object({ traceId: ZHexTraceId });

const ZDocument = z.object({
  id: z.string().nullable(),
  content: z.string().nullable(),
  score: z.number().nullable(),
  metadata: z.record(z.string(), z.string()),
  rank: z.number().int(),
});

export const ZSpan = z
  .object({
    traceId: z.string(),
    spanId: z.string(),
    parentSpanId: z.string().nullable(),
    name: z.string(),
    kind: z.string().meta({
      description: "generation, embedding, retrieval, rerank, tool, agent, chain, guardrail, evaluator or span",
    }),
    otelKind: z.string(),
    startTime: z.string(),
    endTime: z.string(),
    durationMs: z.number(),
    provider: z.string().nullable(),
    model: z.string().nullable(),
    modelParameters: z.record(z.string(), z.unknown()),
    input: z.string().nullable(),
    output: z.string().nullable(),
    inputMessages: z.array(z.unknown()),
    outputMessages: z.array(z.unknown()),
    toolCalls: z.array(z.unknown()),
    retrievalQuery: z.string().nullable(),
    retrievedDocuments: z.array(ZDocument),
    rerankedDocuments: z.array(ZDocument),
    prompt: z
      .object({
        name: z.string().nullable(),
        version: z.string().nullable(),
        template: z.string().nullable(),
        variables: z.record(z.string(), z.string()),
      })
      .nullable(),
    usage: z.object({
      inputTokens: z.number(),
      outputTokens: z.number(),
      totalTokens: z.number(),
      cacheReadTokens: z.number(),
      cacheWriteTokens: z.number(),
      reasoningTokens: z.number(),
      isAggregate: z.boolean(),
    }),
    cost: z.object({
      input: z.number(),
      output: z.number(),
      cacheRead: z.number(),
      cacheWrite: z.number(),
      reasoning: z.number(),
      total: z.number(),
      source: z.string(),
      priceVersion: z.string().nullable(),
    }),
    sessionId: z.string().nullable(),
    userId: z.string().nullable(),
    tags: z.array(z.string()),
    metadata: z.record(z.string(), z.string()),
    environment: z.string().nullable(),
    release: z.string().nullable(),
    serviceName: z.string().nullable(),
    statusCode: z.string(),
    statusMessage: z.string().nullable(),
    error: z
      .object({ type: z.string().nullable(), message: z.string().nullable(), stacktrace: z.string().nullable() })
      .nullable(),
    events: z.array(z.unknown()),
    links: z.array(z.unknown()),
    attributes: z.record(z.string(), z.string()).meta({ description: "Every attribute no mapping consumed" }),
    resourceAttributes: z.record(z.string(), z.string()),
    conventions: z.array(z.string()),
  })
  .meta({ id: "Span" });

export const ZScore = z
  .object({
    id: z.string(),
    traceId: z.string(),
    spanId: z.string().nullable(),
    name: z.string(),
    value: z.number().nullable(),
    label: z.string().nullable(),
    comment: z.string().nullable(),
    source: z.string(),
    timestamp: z.string(),
  })
  // The score as the trace view carries it; `Score` (features/scores) is the full record.
  .meta({ id: "TraceScore" });

export const ZTraceDetail = z
  .object({ traceId: z.string(), spans: z.array(ZSpan), scores: z.array(ZScore) })
  .meta({ id: "TraceDetail" });

export const ZSpanParams = z.object({
  traceId: ZHexTraceId,
  spanId: z.string().regex(/^[0-9a-f]{16}$/, "expected 16 lowercase hex characters"),
});

export const ZSpanNode = z
  .object({
    spanId: z.string(),
    parentSpanId: z.string().nullable(),
    name: z.string(),
    kind: z.string(),
    startTime: z.string(),
    endTime: z.string(),
    durationMs: z.number(),
    model: z.string().nullable(),
    totalTokens: z.number(),
    costTotal: z.number(),
    isError: z.boolean(),
    errorType: z.string().nullable(),
  })
  .meta({ id: "SpanNode" });

export const ZTraceHeader = z.object({
  name: z.string(),
  startTime: z.string(),
  endTime: z.string(),
  durationMs: z.number(),
  spanCount: z.number().int(),
  errorCount: z.number().int(),
  totalTokens: z.number(),
  totalCost: z.number(),
  sessionId: z.string().nullable(),
  userId: z.string().nullable(),
  environment: z.string().nullable(),
  release: z.string().nullable(),
  tags: z.array(z.string()),
});

export const ZKpiEvent = z
  .object({
    id: z.string(),
    name: z.string(),
    value: z.number(),
    sessionId: z.string().nullable(),
    userId: z.string().nullable(),
    timestamp: z.string(),
  })
  // The KPI event as the trace view carries it; `KpiEvent` (features/kpis) is the full record.
  .meta({ id: "TraceKpiEvent" });

export const ZTraceTree = z
  .object({
    traceId: z.string(),
    trace: ZTraceHeader,
    spans: z.array(ZSpanNode).meta({ description: "Every span without payloads; fetch one span for its payload" }),
    scores: z.array(ZScore),
    kpiEvents: z.array(ZKpiEvent).meta({ description: "KPI events linked to the trace or its session" }),
  })
  .meta({ id: "TraceTree" });
