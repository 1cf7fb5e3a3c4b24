import { explainEvaluator, getClickHouse } from "@spanlens/clickhouse";
import { AppError } from "@spanlens/core";
import {
  countEvaluatorRunsByStatus,
  deleteEvaluator,
  deleteLlmConnection,
  EVALUATOR_TYPES,
  getEvaluator,
  JUDGE_TEMPLATES,
  listEvaluatorRuns,
  listEvaluators,
  listLlmConnections,
  saveEvaluator,
  saveLlmConnection,
  ZEvaluatorInput,
  ZLlmConnectionInput,
} from "@spanlens/db";
import { z } from "zod";
import { createTRPCRouter, projectProcedure, projectWriteProcedure } from "../../../server/trpc/init";

const ZRunStatus = z.enum(["QUEUED", "RUNNING", "SUCCEEDED", "FAILED"]);

const ZEvaluatorDto = z.object({
  id: z.string(),
  name: z.string(),
  scoreName: z.string(),
  type: z.string(),
  config: z.record(z.string(), z.unknown()),
  filter: z.object({
    traceName: z.string().optional(),
    tags: z.array(z.string()).optional(),
    environment: z.string().optional(),
    userId: z.string().optional(),
  }),
  samplingRate: z.number(),
  llmConnectionId: z.string().nullable(),
  isEnabled: z.boolean(),
  version: z.number(),
  runs: z.record(ZRunStatus, z.number()),
});
export type TEvaluatorDto = z.infer<typeof ZEvaluatorDto>;

const ZRunDto = z.object({
  id: z.string(),
  evaluatorId: z.string(),
  traceId: z.string(),
  status: ZRunStatus,
  attempts: z.number(),
  error: z.string().nullable(),
  scoreId: z.string().nullable(),
  judgeTraceId: z.string().nullable(),
  costUsd: z.number(),
  createdAt: z.date(),
  updatedAt: z.date(),
});

const ZConnectionDto = z.object({
  id: z.string(),
  name: z.string(),
  provider: z.string(),
  baseUrl: z.string(),
  apiKeyPreview: z.string().nullable(),
  defaultModel: z.string(),
  requestsPerMinute: z.number(),
});

const DAY_MS = 24 * 3600 * 1000;

export const evaluatorRouter = createTRPCRouter({
  /** Evaluator types and the default judge templates, for the editor. */
  catalog: projectProcedure
    .output(
      z.object({
        types: z.array(z.object({ type: z.string(), label: z.string(), description: z.string() })),
        judgeTemplates: z.record(z.string(), z.string()),
      }),
    )
    .query(() => ({ types: [...EVALUATOR_TYPES], judgeTemplates: { ...JUDGE_TEMPLATES } })),

  list: projectProcedure.output(z.array(ZEvaluatorDto)).query(async ({ ctx }) => {
    const [evaluators, counts] = await Promise.all([
      listEvaluators(ctx.project.id),
      countEvaluatorRunsByStatus(ctx.project.id),
    ]);
    return evaluators.map((evaluator) => {
      const runs = { QUEUED: 0, RUNNING: 0, SUCCEEDED: 0, FAILED: 0 };
      for (const count of counts) if (count.evaluatorId === evaluator.id) runs[count.status] = count.count;
      return {
        id: evaluator.id,
        name: evaluator.name,
        scoreName: evaluator.scoreName,
        type: evaluator.config.type,
        config: evaluator.config as Record<string, unknown>,
        filter: evaluator.filter,
        samplingRate: evaluator.samplingRate,
        llmConnectionId: evaluator.llmConnectionId,
        isEnabled: evaluator.isEnabled,
        version: evaluator.version,
        runs,
      };
    });
  }),

  save: projectWriteProcedure
    .input(z.object({ evaluatorId: z.string().min(1).optional(), evaluator: ZEvaluatorInput }))
    .output(z.object({ id: z.string() }))
    .mutation(async ({ ctx, input }) => {
      const saved = await saveEvaluator(ctx.project.id, input.evaluator, input.evaluatorId);
      return { id: saved.id };
    }),

  setEnabled: projectWriteProcedure
    .input(z.object({ evaluatorId: z.string().min(1), isEnabled: z.boolean() }))
    .output(z.object({ ok: z.literal(true) }))
    .mutation(async ({ ctx, input }) => {
      const evaluator = await getEvaluator(ctx.project.id, input.evaluatorId);
      if (!evaluator) throw new AppError("NOT_FOUND", "Evaluator not found");
      await saveEvaluator(
        ctx.project.id,
        {
          name: evaluator.name,
          scoreName: evaluator.scoreName,
          config: evaluator.config,
          filter: evaluator.filter,
          samplingRate: evaluator.samplingRate,
          llmConnectionId: evaluator.llmConnectionId,
          isEnabled: input.isEnabled,
        },
        evaluator.id,
      );
      return { ok: true as const };
    }),

  delete: projectWriteProcedure
    .input(z.object({ evaluatorId: z.string().min(1) }))
    .output(z.object({ ok: z.literal(true) }))
    .mutation(async ({ ctx, input }) => {
      await deleteEvaluator(ctx.project.id, input.evaluatorId);
      return { ok: true as const };
    }),

  /** Recent runs with their status and failure reason. */
  runs: projectProcedure
    .input(z.object({ evaluatorId: z.string().min(1).optional(), limit: z.number().int().min(1).max(200).default(50) }))
    .output(z.array(ZRunDto))
    .query(({ ctx, input }) =>
      listEvaluatorRuns(ctx.project.id, {
        limit: input.limit,
        ...(input.evaluatorId ? { evaluatorId: input.evaluatorId } : {}),
      }),
    ),

  /** Why an evaluator fired or not over the last days: traces seen, matched, and each outcome's reason. */
  explain: projectProcedure
    .input(z.object({ evaluatorId: z.string().min(1), days: z.number().int().min(1).max(30).default(7) }))
    .output(
      z.object({
        seen: z.number(),
        matched: z.number(),
        decisions: z.array(z.object({ decision: z.string(), reason: z.string(), traces: z.number() })),
      }),
    )
    .query(({ ctx, input }) =>
      explainEvaluator(getClickHouse(), ctx.project.id, input.evaluatorId, new Date(Date.now() - input.days * DAY_MS)),
    ),

  connections: projectProcedure.output(z.array(ZConnectionDto)).query(({ ctx }) => listLlmConnections(ctx.project.id)),

  saveConnection: projectWriteProcedure
    .input(z.object({ connectionId: z.string().min(1).optional(), connection: ZLlmConnectionInput }))
    .output(ZConnectionDto)
    .mutation(({ ctx, input }) => saveLlmConnection(ctx.project.id, input.connection, input.connectionId)),

  deleteConnection: projectWriteProcedure
    .input(z.object({ connectionId: z.string().min(1) }))
    .output(z.object({ ok: z.literal(true) }))
    .mutation(async ({ ctx, input }) => {
      await deleteLlmConnection(ctx.project.id, input.connectionId);
      return { ok: true as const };
    }),
});
