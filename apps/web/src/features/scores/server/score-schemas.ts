import { z } from "zod";

const ZTraceId = z.string().regex(/^[0-9a-f]{32}$/, "expected 32 lowercase hex characters");
const ZSpanId = z.string().regex(/^[0-9a-f]{16}$/, "expected 16 lowercase hex characters");

/** One score as clients send it; feedback, annotations and evaluator results share it. */
export const ZCreateScoreRequest = z
  .object({
    id: z
      .string()
      .min(1)
      .max(200)
      .optional()
      .meta({ description: "Idempotency key: sending the same id again replaces, never duplicates" }),
    traceId: ZTraceId.optional(),
    spanId: ZSpanId.optional(),
    sessionId: z.string().min(1).max(200).optional(),
    name: z.string().trim().min(1).max(100),
    value: z.union([z.number(), z.boolean(), z.string().min(1).max(200)]),
    dataType: z.enum(["numeric", "boolean", "categorical"]).optional().meta({
      description: "Inferred from `value` when absent (number → numeric, boolean → boolean, string → categorical)",
    }),
    configId: z
      .string()
      .min(1)
      .optional()
      .meta({ description: "Score config to validate against (default: the config with this name)" }),
    label: z.string().max(200).optional(),
    comment: z.string().max(10_000).optional(),
    source: z.enum(["api", "sdk", "annotation", "evaluator"]).default("api"),
    timestamp: z.iso.datetime({ offset: true }).optional(),
    metadata: z.record(z.string(), z.unknown()).optional(),
  })
  .refine((score) => score.traceId || score.spanId || score.sessionId, {
    path: ["traceId"],
    message: "a score needs a target: send traceId, spanId or sessionId",
  })
  .meta({ id: "CreateScoreRequest" });
export type TCreateScoreRequest = z.infer<typeof ZCreateScoreRequest>;

export const ZCreateScoreResponse = z.object({ id: z.string() }).meta({ id: "CreateScoreResponse" });

export const ZCreateScoresBatchRequest = z
  .object({ scores: z.array(ZCreateScoreRequest).min(1).max(1000) })
  .meta({ id: "CreateScoresBatchRequest" });

export const ZCreateScoresBatchResponse = z
  .object({ ids: z.array(z.string()) })
  .meta({ id: "CreateScoresBatchResponse" });

export const ZScore = z
  .object({
    id: z.string(),
    traceId: z.string().nullable(),
    spanId: z.string().nullable(),
    sessionId: z.string().nullable(),
    name: z.string(),
    value: z
      .number()
      .nullable()
      .meta({ description: "Numeric value; booleans are 1/0, categories their configured value" }),
    stringValue: z.string().nullable().meta({ description: "The category, or true/false for booleans" }),
    dataType: z.string(),
    label: z.string().nullable(),
    comment: z.string().nullable(),
    source: z.string(),
    author: z.string().nullable(),
    evaluatorId: z.string().nullable(),
    evaluatorVersion: z.string().nullable(),
    judgeTraceId: z.string().nullable().meta({ description: "Trace of the LLM-judge call that produced this score" }),
    configId: z.string().nullable(),
    metadata: z.record(z.string(), z.string()),
    timestamp: z.string(),
  })
  .meta({ id: "Score" });

export const ZListScoresQuery = z.object({
  traceId: ZTraceId.optional(),
  spanId: ZSpanId.optional(),
  sessionId: z.string().min(1).optional(),
  name: z.string().min(1).optional(),
  source: z.enum(["api", "sdk", "annotation", "evaluator", "otlp"]).optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor: z.string().min(1).optional().meta({ description: "`nextCursor` from the previous page" }),
});

export const ZListScoresResponse = z
  .object({ data: z.array(ZScore), nextCursor: z.string().nullable() })
  .meta({ id: "ScoreList" });

export const ZScoreParams = z.object({ scoreId: z.string().min(1).max(200) });
export const ZDeleteScoreResponse = z
  .object({ id: z.string(), deleted: z.literal(true) })
  .meta({ id: "DeleteScoreResponse" });
