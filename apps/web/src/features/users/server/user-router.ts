import { getClickHouse, listUsers } from "@spanlens/clickhouse";
import { z } from "zod";
import { createTRPCRouter, projectProcedure } from "../../../server/trpc/init";
import { PRESET_MS, TIME_RANGE_PRESETS } from "../../traces/lib/trace-filter-query";

export const ZUserSummary = z.object({
  userId: z.string(),
  traceCount: z.number().int(),
  sessionCount: z.number().int(),
  firstSeen: z.string(),
  lastSeen: z.string(),
  totalTokens: z.number(),
  totalCost: z.number(),
  errorTraceCount: z.number().int(),
  positiveFeedback: z.number().int(),
  negativeFeedback: z.number().int(),
});

export const userRouter = createTRPCRouter({
  /** Volume, cost and feedback per end user of the project's application. */
  list: projectProcedure
    .input(z.object({ range: z.enum(TIME_RANGE_PRESETS).default("7d") }))
    .output(z.array(ZUserSummary))
    .query(({ ctx, input }) => {
      const to = new Date(Date.now() + 60_000);
      return listUsers(getClickHouse(), {
        projectId: ctx.project.id,
        from: new Date(to.getTime() - PRESET_MS[input.range]),
        to,
        limit: 200,
      });
    }),
});
