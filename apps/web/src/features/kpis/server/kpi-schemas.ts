import { z } from "zod";

const ZTraceId = z.string().regex(/^[0-9a-f]{32}$/, "expected 32 lowercase hex characters");

/** A business event (conversion, ticket_resolved, csat, revenue, …) linked to a trace, session and/or user. */
export const ZCreateKpiRequest = z
  .object({
    id: z
      .string()
      .min(1)
      .max(200)
      .optional()
      .meta({ description: "Idempotency key: resending the same id stores one event" }),
    name: z.string().trim().min(1).max(100),
    value: z.number().refine(Number.isFinite, "must be a finite number"),
    timestamp: z.iso.datetime({ offset: true }).optional(),
    traceId: ZTraceId.optional(),
    sessionId: z.string().min(1).max(200).optional(),
    userId: z.string().min(1).max(200).optional(),
    metadata: z.record(z.string(), z.unknown()).optional(),
  })
  .meta({ id: "CreateKpiRequest" });
export type TCreateKpiRequest = z.infer<typeof ZCreateKpiRequest>;

export const ZCreateKpiResponse = z.object({ id: z.string() }).meta({ id: "CreateKpiResponse" });
export const ZCreateKpisBatchRequest = z
  .object({ events: z.array(ZCreateKpiRequest).min(1).max(1000) })
  .meta({ id: "CreateKpisBatchRequest" });
export const ZCreateKpisBatchResponse = z.object({ ids: z.array(z.string()) }).meta({ id: "CreateKpisBatchResponse" });

export const ZKpiEvent = z
  .object({
    id: z.string(),
    name: z.string(),
    value: z.number(),
    traceId: z.string().nullable(),
    sessionId: z.string().nullable(),
    userId: z.string().nullable(),
    metadata: z.record(z.string(), z.string()),
    timestamp: z.string(),
    traceFound: z
      .boolean()
      .meta({ description: "Whether the event's trace is stored; resolved when read, so late traces link" }),
  })
  .meta({ id: "KpiEvent" });

export const ZListKpisQuery = z.object({
  name: z.string().min(1).optional(),
  traceId: ZTraceId.optional(),
  sessionId: z.string().min(1).optional(),
  userId: z.string().min(1).optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor: z.string().min(1).optional(),
});

export const ZListKpisResponse = z
  .object({ data: z.array(ZKpiEvent), nextCursor: z.string().nullable() })
  .meta({ id: "KpiEventList" });
