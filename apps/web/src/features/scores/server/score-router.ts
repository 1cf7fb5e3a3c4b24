import { createHash } from "node:crypto";
import { deleteScore, findScoresByIds, getClickHouse, listScores } from "@spanlens/clickhouse";
import { AppError } from "@spanlens/core";
import {
  createScoreConfig,
  getProjectEvalSettings,
  listScoreConfigs,
  setScoreConfigArchived,
  updateProjectEvalSettings,
  ZProjectEvalSettingsInput,
  ZScoreConfigInput,
} from "@spanlens/db";
import { z } from "zod";
import { createTRPCRouter, projectProcedure, projectWriteProcedure } from "../../../server/trpc/init";
import { ZScore } from "./score-schemas";
import { createScores } from "./score-service";

const ZTraceId = z.string().regex(/^[0-9a-f]{32}$/, "expected 32 lowercase hex characters");
const ZSpanId = z.string().regex(/^[0-9a-f]{16}$/, "expected 16 lowercase hex characters");

export const ZScoreConfigDto = z.object({
  id: z.string(),
  name: z.string(),
  dataType: z.enum(["NUMERIC", "BOOLEAN", "CATEGORICAL"]),
  minValue: z.number().nullable(),
  maxValue: z.number().nullable(),
  categories: z.array(z.object({ label: z.string(), value: z.number() })),
  description: z.string().nullable(),
  shortcut: z.string().nullable(),
  isArchived: z.boolean(),
});
export type TScoreConfigDto = z.infer<typeof ZScoreConfigDto>;

/** One annotation per reviewer, config and target: re-scoring replaces the earlier value. */
function annotationScoreId(userId: string, configId: string, traceId: string, spanId: string | undefined): string {
  return createHash("sha256")
    .update(["annotation", userId, configId, traceId, spanId ?? ""].join("\u0000"))
    .digest("hex")
    .slice(0, 32);
}

export const scoreRouter = createTRPCRouter({
  configs: projectProcedure
    .input(z.object({ includeArchived: z.boolean().default(false) }))
    .output(z.array(ZScoreConfigDto))
    .query(({ ctx, input }) => listScoreConfigs(ctx.project.id, { includeArchived: input.includeArchived })),

  createConfig: projectWriteProcedure
    .input(z.object({ config: ZScoreConfigInput }))
    .output(ZScoreConfigDto)
    .mutation(({ ctx, input }) => createScoreConfig(ctx.project.id, input.config)),

  setConfigArchived: projectWriteProcedure
    .input(z.object({ configId: z.string().min(1), isArchived: z.boolean() }))
    .output(z.object({ ok: z.literal(true) }))
    .mutation(async ({ ctx, input }) => {
      await setScoreConfigArchived(ctx.project.id, input.configId, input.isArchived);
      return { ok: true as const };
    }),

  /** Every live score of a trace (all sources), oldest first. */
  forTrace: projectProcedure
    .input(z.object({ traceId: ZTraceId }))
    .output(z.array(ZScore))
    .query(async ({ ctx, input }) => {
      const page = await listScores(getClickHouse(), { projectId: ctx.project.id, traceId: input.traceId, limit: 500 });
      return page.data.reverse();
    }),

  /** The caller's own annotations on a trace (or one span of it), to show what they already gave. */
  myAnnotations: projectProcedure
    .input(z.object({ traceId: ZTraceId, spanId: ZSpanId.optional() }))
    .output(z.array(ZScore))
    .query(async ({ ctx, input }) => {
      const page = await listScores(getClickHouse(), {
        projectId: ctx.project.id,
        traceId: input.traceId,
        source: "annotation",
        author: ctx.user.id,
        limit: 500,
      });
      return page.data.filter((score) => score.spanId === (input.spanId ?? null));
    }),

  /** The reviewer's annotation of a trace or span with one of the project's score configs. */
  annotate: projectWriteProcedure
    .input(
      z.object({
        traceId: ZTraceId,
        spanId: ZSpanId.optional(),
        configId: z.string().min(1),
        value: z.union([z.number(), z.boolean(), z.string().min(1)]),
        comment: z.string().max(10_000).optional(),
      }),
    )
    .output(z.object({ id: z.string() }))
    .mutation(async ({ ctx, input }) => {
      const configs = await listScoreConfigs(ctx.project.id);
      const config = configs.find((candidate) => candidate.id === input.configId);
      if (!config)
        throw new AppError("BAD_REQUEST", `configId: no active score config ${input.configId} in this project`);
      const [id] = await createScores(
        ctx.project.id,
        [
          {
            id: annotationScoreId(ctx.user.id, config.id, input.traceId, input.spanId),
            traceId: input.traceId,
            ...(input.spanId ? { spanId: input.spanId } : {}),
            name: config.name,
            configId: config.id,
            value: input.value,
            ...(input.comment ? { comment: input.comment } : {}),
            source: "annotation",
          },
        ],
        { author: ctx.user.id },
      );
      return { id: id as string };
    }),

  /** Removes one of the caller's own annotations. */
  deleteAnnotation: projectWriteProcedure
    .input(z.object({ scoreId: z.string().min(1) }))
    .output(z.object({ ok: z.literal(true) }))
    .mutation(async ({ ctx, input }) => {
      const [score] = await findScoresByIds(getClickHouse(), ctx.project.id, [input.scoreId]);
      if (score?.source !== "annotation" || score.author !== ctx.user.id) {
        throw new AppError("NOT_FOUND", "Annotation not found among yours");
      }
      await deleteScore(getClickHouse(), ctx.project.id, input.scoreId);
      return { ok: true as const };
    }),

  settings: projectProcedure
    .output(ZProjectEvalSettingsInput)
    .query(({ ctx }) => getProjectEvalSettings(ctx.project.id)),

  updateSettings: projectWriteProcedure
    .input(z.object({ settings: ZProjectEvalSettingsInput }))
    .output(ZProjectEvalSettingsInput)
    .mutation(({ ctx, input }) => updateProjectEvalSettings(ctx.project.id, input.settings)),
});
