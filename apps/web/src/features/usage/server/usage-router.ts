import { getClickHouse, getIngestUsage } from "@spanlens/clickhouse";
import { z } from "zod";
import { createTRPCRouter, projectProcedure } from "../../../server/trpc/init";
import { listIngestProblems } from "./ingest-problems";
import { DAY_MS, MAX_USAGE_DAYS, ZIngestProblems, ZIngestUsage } from "./usage-schemas";

export const usageRouter = createTRPCRouter({
  /** What the project sent per UTC day: the last `days` days, today included. */
  ingest: projectProcedure
    .input(z.object({ days: z.number().int().min(1).max(MAX_USAGE_DAYS).default(30) }))
    .output(ZIngestUsage)
    .query(({ ctx, input }) => {
      const now = Date.now();
      const today = Math.floor(now / DAY_MS) * DAY_MS;
      return getIngestUsage(getClickHouse(), {
        projectId: ctx.project.id,
        from: new Date(today - (input.days - 1) * DAY_MS),
        to: new Date(now + 60_000),
      });
    }),
  /** Exports the receiver refused or accepted only in part, newest first. */
  problems: projectProcedure.output(ZIngestProblems).query(({ ctx }) => listIngestProblems(ctx.project.id)),
});
