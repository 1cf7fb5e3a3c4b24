import { getClickHouse, getSessionTurns, listSessions } from "@spanlens/clickhouse";
import { z } from "zod";
import { createTRPCRouter, projectProcedure } from "../../../server/trpc/init";
import { PRESET_MS, TIME_RANGE_PRESETS } from "../../traces/lib/trace-filter-query";
import { ZTraceSummary } from "../../traces/server/trace-schemas";

const ZRange = z.enum(TIME_RANGE_PRESETS).default("7d");

const windowOf = (range: z.output<typeof ZRange>) => {
  const to = new Date(Date.now() + 60_000);
  return { from: new Date(to.getTime() - PRESET_MS[range]), to };
};

export const ZSessionSummary = z.object({
  sessionId: z.string(),
  traceCount: z.number().int(),
  userIds: z.array(z.string()),
  firstSeen: z.string(),
  lastSeen: z.string(),
  totalTokens: z.number(),
  totalCost: z.number(),
  errorTraceCount: z.number().int(),
  positiveFeedback: z.number().int(),
  negativeFeedback: z.number().int(),
});

export const sessionRouter = createTRPCRouter({
  list: projectProcedure
    .input(z.object({ range: ZRange }))
    .output(z.array(ZSessionSummary))
    .query(({ ctx, input }) =>
      listSessions(getClickHouse(), { projectId: ctx.project.id, ...windowOf(input.range), limit: 200 }),
    ),

  /** A conversation: its traces oldest first, each with the root span's input and output. */
  turns: projectProcedure
    .input(z.object({ sessionId: z.string().min(1).max(500), range: z.enum(TIME_RANGE_PRESETS).default("30d") }))
    .output(
      z.array(
        z.object({
          trace: ZTraceSummary.omit({ scores: true }),
          input: z.string().nullable(),
          output: z.string().nullable(),
        }),
      ),
    )
    .query(({ ctx, input }) =>
      getSessionTurns(getClickHouse(), {
        projectId: ctx.project.id,
        sessionId: input.sessionId,
        ...windowOf(input.range),
      }),
    ),
});
