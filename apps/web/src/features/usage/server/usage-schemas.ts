import { INGEST_PROBLEMS_KEPT } from "@spanlens/queue";
import { z } from "zod";

export const DAY_MS = 24 * 3600_000;
/** The longest window one request may ask for. */
export const MAX_USAGE_DAYS = 366;

export const ZIngestUsageDay = z
  .object({
    day: z.string().meta({ description: "UTC day, YYYY-MM-DD" }),
    requests: z.number().int().meta({ description: "OTLP requests stored (a redelivered request counts once)" }),
    spans: z.number().int().meta({ description: "Spans in those requests" }),
    bytes: z.number().int().meta({ description: "Their decompressed size in bytes" }),
  })
  .meta({ id: "IngestUsageDay" });

export const ZIngestUsage = z
  .object({
    days: z.array(ZIngestUsageDay).meta({ description: "Days with traffic, oldest first" }),
    totals: ZIngestUsageDay.omit({ day: true }),
  })
  .meta({ id: "IngestUsage" });

export const ZUsageQuery = z
  .object({
    from: z.iso
      .datetime({ offset: true })
      .optional()
      .meta({ description: "ISO 8601 start of the window (default: 30 days before `to`)" }),
    to: z.iso.datetime({ offset: true }).optional().meta({ description: "ISO 8601 end, exclusive (default: now)" }),
  })
  .superRefine((query, ctx) => {
    const { from, to } = usageWindow(query);
    if (from >= to) ctx.addIssue({ code: "custom", path: ["from"], message: "must be before to" });
    else if (to.getTime() - from.getTime() > MAX_USAGE_DAYS * DAY_MS) {
      ctx.addIssue({ code: "custom", path: ["from"], message: `must be at most ${MAX_USAGE_DAYS} days before to` });
    }
  });

/** The window a usage query names, with its defaults filled in. */
export function usageWindow(query: { from?: string | undefined; to?: string | undefined }): { from: Date; to: Date } {
  const to = query.to ? new Date(query.to) : new Date();
  const from = query.from ? new Date(query.from) : new Date(to.getTime() - 30 * DAY_MS);
  return { from, to };
}

export const ZIngestProblem = z
  .object({
    at: z.iso.datetime().meta({ description: "When it was last seen (ISO 8601)" }),
    firstAt: z.iso.datetime().meta({ description: "When the same problem was first seen in its group" }),
    count: z.number().int().meta({ description: "How many exports were answered the same way in that time" }),
    status: z.number().int().meta({
      description:
        "HTTP status answered (an OTLP/gRPC export: the status its code maps from); 200 when records were dropped from an accepted export",
    }),
    message: z.string().meta({
      description:
        "What the exporter was told; for a problem the worker met after accepting the export (stage `worker`), what failed",
    }),
    stage: z.enum(["receiver", "worker"]).meta({
      description:
        "`receiver`: the export was refused or cut short and its exporter told so. `worker`: it was accepted (200) and then not stored whole, which its exporter never learns",
    }),
    transport: z.enum(["http", "grpc"]),
    signal: z.enum(["traces", "logs", "metrics"]),
    userAgent: z
      .string()
      .meta({ description: "The exporter's User-Agent (its SDK and version); empty when none was sent" }),
    droppedRecords: z.number().int().meta({
      description:
        "Spans or log records dropped from accepted exports: by the receiver, or lost when the worker failed to store an export for good",
    }),
    keptRecords: z.number().int().meta({
      description:
        "Spans the worker stored as sent, without their normalized fields, because normalizing them failed (each keeps the error in its spanlens.normalization_error attribute)",
    }),
    grpcStatus: z.string().meta({
      description:
        "The gRPC status code's name an OTLP/gRPC exporter was answered, such as INVALID_ARGUMENT; empty over HTTP",
    }),
    note: z.string().meta({
      description: "What the project should know besides the answer, such as which revoked key was presented",
    }),
  })
  .meta({ id: "IngestProblem" });

export const ZIngestProblems = z
  .object({
    data: z.array(ZIngestProblem).meta({
      description: `Newest first: the project's last ${INGEST_PROBLEMS_KEPT} refused or partly accepted exports, and accepted exports the worker could not store whole, kept for 7 days after the last`,
    }),
  })
  .meta({ id: "IngestProblems" });
