import { getClickHouse, getSpan, listTraces } from "@spanlens/clickhouse";
import { AppError } from "@spanlens/core";
import { z } from "zod";
import { createTRPCRouter, projectProcedure } from "../../../server/trpc/init";
import { findTraces, findTraceTree } from "./find-traces";
import {
  ZListTracesQuery,
  ZListTracesResponse,
  ZSpan,
  ZSpanParams,
  ZTraceParams,
  ZTraceSummary,
  ZTraceTree,
} from "./trace-schemas";

const WEEK_MS = 7 * 24 * 3600 * 1000;

export const traceRouter = createTRPCRouter({
  /** The newest traces of the last seven days, for the project overview. */
  recent: projectProcedure
    .input(z.object({ projectId: z.string(), limit: z.number().int().min(1).max(100).default(20) }))
    .output(z.object({ data: z.array(ZTraceSummary.omit({ scores: true })), nextCursor: z.string().nullable() }))
    .query(({ ctx, input }) => {
      const to = new Date(Date.now() + 60_000);
      return listTraces(getClickHouse(), {
        projectId: ctx.project.id,
        from: new Date(to.getTime() - WEEK_MS),
        to,
        limit: input.limit,
      });
    }),

  /** The explorer's list: the same query parameters as the public API and the page URL. */
  list: projectProcedure
    .input(z.object({ query: ZListTracesQuery.omit({ cursor: true }), cursor: z.string().min(1).nullish() }))
    .output(ZListTracesResponse)
    .query(({ ctx, input }) => findTraces(ctx.project.id, { ...input.query, cursor: input.cursor ?? undefined })),

  tree: projectProcedure
    .input(ZTraceParams)
    .output(ZTraceTree)
    .query(({ ctx, input }) => findTraceTree(ctx.project.id, input.traceId)),

  span: projectProcedure
    .input(ZSpanParams)
    .output(ZSpan)
    .query(async ({ ctx, input }) => {
      const span = await getSpan(getClickHouse(), ctx.project.id, input.traceId, input.spanId);
      if (!span) throw new AppError("NOT_FOUND", `Span ${input.spanId} not found in trace ${input.traceId}`);
      return span;
    }),
});
