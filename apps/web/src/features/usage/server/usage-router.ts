import { getClickHouse, getIngestUsage } from "@spanlens/clickhouse";
import { z } from "zod";
import { createTRPCRouter, projectProcedure } from "../../../server/trpc/init";

const DAY_MS = 24 * 3600_000;

export const ZIngestUsageDay = z.object({
  day: z.string(),
  requests: z.number().int(),
  spans: z.number().int(),
  bytes: z.number().int(),
});

export const usageRouter = createTRPCRouter({
  /** What the project sent per UTC day: the last `days` days, today included. */
  ingest: projectProcedure
    .input(z.object({ days: z.number().int().min(1).max(366).default(30) }))
    .output(z.object({ days: z.array(ZIngestUsageDay), totals: ZIngestUsageDay.omit({ day: true }) }))
    .query(({ ctx, input }) => {
      const now = Date.now();
      const today = Math.floor(now / DAY_MS) * DAY_MS;
      return getIngestUsage(getClickHouse(), {
        projectId: ctx.project.id,
        from: new Date(today - (input.days - 1) * DAY_MS),
        to: new Date(now + 60_000),
      });
    }),
});
