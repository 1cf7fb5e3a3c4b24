import { z } from "zod";

const ZHexTraceId = z.string().regex(/^[0-9a-f]{32}$/, "expected 32 lowercase hex characters");

export const ZListTracesQuery = z.object({
  from: z.iso
    .datetime({ offset: true })
    .optional()
    .meta({ description: "ISO 8601 start of the window (default: 24 h before `to`)" }),
  to: z.iso
    .datetime({ offset: true })
    .optional()
    .meta({ description: "ISO 8601 end of the window, exclusive (default: now)" }),
  name: z
    .string()
    .min(1)
    .optional()
    .meta({ description: "Trace name (the root span's, or the name a span set for the trace)" }),
  tags: z
    .union([z.string(), z.array(z.string())])
    .optional()
    .transform((value) => (value === undefined ? undefined : Array.isArray(value) ? value : [value]))
    .meta({ description: "Repeatable; every tag must be on the trace (e.g. `domain:hr`)" }),
  userId: z.string().min(1).optional(),
  sessionId: z.string().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().min(1).optional().meta({ description: "`nextCursor` from the previous page" }),
});

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
  .meta({ id: "Score" });

export const ZTraceDetail = z
  .object({ traceId: z.string(), spans: z.array(ZSpan), scores: z.array(ZScore) })
  .meta({ id: "TraceDetail" });
