import { getClickHouse, getTrace, listAnnotationCandidates } from "@spanlens/clickhouse";
import {
  createAnnotationQueue,
  deleteAnnotationQueue,
  getAnnotationQueue,
  listAnnotationQueues,
  listScoreConfigs,
  ZAnnotationQueueInput,
} from "@spanlens/db";
import { z } from "zod";
import { createTRPCRouter, projectProcedure, projectWriteProcedure } from "../../../server/trpc/init";

const DAY_MS = 24 * 3600 * 1000;
/** A queue shows at most this many traces at once; reviewers work through the newest first. */
const QUEUE_WINDOW = 500;

const ZQueueDto = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  filter: z.object({
    sinceDays: z.number(),
    traceName: z.string().optional(),
    tags: z.array(z.string()).optional(),
    scoreName: z.string().optional(),
    scoreOperator: z.enum(["lt", "lte", "eq", "gte", "gt"]).optional(),
    scoreValue: z.number().optional(),
  }),
  scoreConfigIds: z.array(z.string()),
});

export const annotationRouter = createTRPCRouter({
  queues: projectProcedure.output(z.array(ZQueueDto)).query(({ ctx }) => listAnnotationQueues(ctx.project.id)),

  createQueue: projectWriteProcedure
    .input(z.object({ queue: ZAnnotationQueueInput }))
    .output(ZQueueDto)
    .mutation(({ ctx, input }) => createAnnotationQueue(ctx.project.id, input.queue)),

  deleteQueue: projectWriteProcedure
    .input(z.object({ queueId: z.string().min(1) }))
    .output(z.object({ ok: z.literal(true) }))
    .mutation(async ({ ctx, input }) => {
      await deleteAnnotationQueue(ctx.project.id, input.queueId);
      return { ok: true as const };
    }),

  /**
   * The queue's traces for the caller, newest first, each marked done once they annotated
   * every config; null when the queue does not exist (deleted in another tab).
   */
  items: projectProcedure
    .input(z.object({ queueId: z.string().min(1) }))
    .output(
      z
        .object({
          queue: ZQueueDto,
          items: z.array(
            z.object({ traceId: z.string(), name: z.string(), startTime: z.string(), isDone: z.boolean() }),
          ),
        })
        .nullable(),
    )
    .query(async ({ ctx, input }) => {
      const queue = await getAnnotationQueue(ctx.project.id, input.queueId);
      if (!queue) return null;
      const configs = await listScoreConfigs(ctx.project.id, { includeArchived: true });
      const scoreNames = configs
        .filter((config) => queue.scoreConfigIds.includes(config.id))
        .map((config) => config.name);
      const { filter } = queue;
      const items = await listAnnotationCandidates(getClickHouse(), {
        projectId: ctx.project.id,
        from: new Date(Date.now() - filter.sinceDays * DAY_MS),
        traceName: filter.traceName,
        tags: filter.tags,
        score:
          filter.scoreName && filter.scoreOperator && filter.scoreValue !== undefined
            ? { name: filter.scoreName, operator: filter.scoreOperator, value: filter.scoreValue }
            : undefined,
        author: ctx.user.id,
        scoreNames,
        limit: QUEUE_WINDOW,
      });
      return { queue, items };
    }),

  /** What a reviewer needs to judge a trace: the question, the answer and the retrieved context. */
  traceBrief: projectProcedure
    .input(z.object({ traceId: z.string().regex(/^[0-9a-f]{32}$/) }))
    .output(
      z
        .object({
          name: z.string(),
          input: z.string().nullable(),
          output: z.string().nullable(),
          documents: z.array(z.object({ content: z.string().nullable(), score: z.number().nullable() })),
          spanCount: z.number(),
        })
        .nullable(),
    )
    .query(async ({ ctx, input }) => {
      const trace = await getTrace(getClickHouse(), ctx.project.id, input.traceId);
      if (!trace) return null;
      const root = trace.spans.find((span) => span.parentSpanId === null) ?? trace.spans[0];
      const lastGeneration = trace.spans.filter((span) => span.kind === "generation").at(-1);
      return {
        name: root?.name ?? "",
        input: root?.input ?? null,
        output: root?.output ?? lastGeneration?.output ?? null,
        documents: trace.spans
          .flatMap((span) => span.retrievedDocuments)
          .slice(0, 10)
          .map((document) => ({ content: document.content, score: document.score })),
        spanCount: trace.spans.length,
      };
    }),
});
