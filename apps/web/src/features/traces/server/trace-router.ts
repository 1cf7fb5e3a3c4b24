import { getClickHouse, listTraces } from "@spanlens/clickhouse";
import { z } from "zod";
import { createTRPCRouter, projectProcedure } from "../../../server/trpc/init";
import { ZListTracesResponse } from "./trace-schemas";

const WEEK_MS = 7 * 24 * 3600 * 1000;

export const traceRouter = createTRPCRouter({
  /** The newest traces of the last seven days, for the project overview. */
  recent: projectProcedure
    .input(z.object({ projectId: z.string(), limit: z.number().int().min(1).max(100).default(20) }))
    .output(ZListTracesResponse)
    .query(({ ctx, input }) => {
      const to = new Date(Date.now() + 60_000);
      return listTraces(getClickHouse(), {
        projectId: ctx.project.id,
        from: new Date(to.getTime() - WEEK_MS),
        to,
        limit: input.limit,
      });
    }),
});
