import { deleteSavedView, listSavedViews, saveView } from "@spanlens/db";
import { z } from "zod";
import { createTRPCRouter, projectProcedure, projectWriteProcedure } from "../../../server/trpc/init";
import { ZTraceFilterQuery } from "../lib/trace-filter-query";

const ZSavedView = z.object({ id: z.string(), name: z.string(), query: z.string(), createdAt: z.date() });

/** Checks that a saved query string is one the explorer can load, naming the bad field. */
const ZSavedQuery = z
  .string()
  .max(4000)
  .superRefine((text, ctx) => {
    const params = new URLSearchParams(text);
    const query: Record<string, string | string[]> = {};
    for (const key of new Set(params.keys())) {
      const values = params.getAll(key);
      query[key] = values.length === 1 ? (values[0] as string) : values;
    }
    const result = ZTraceFilterQuery.passthrough().safeParse(query);
    if (!result.success) {
      const issue = result.error.issues[0];
      ctx.addIssue({ code: "custom", message: `${issue?.path.join(".") ?? "query"}: ${issue?.message ?? "invalid"}` });
    }
  });

export const savedViewRouter = createTRPCRouter({
  list: projectProcedure.output(z.array(ZSavedView)).query(({ ctx }) => listSavedViews(ctx.project.id)),

  save: projectWriteProcedure
    .input(z.object({ name: z.string().trim().min(1, "is required").max(80), query: ZSavedQuery }))
    .output(ZSavedView)
    .mutation(({ ctx, input }) =>
      saveView({ projectId: ctx.project.id, actorId: ctx.user.id, name: input.name, query: input.query }),
    ),

  delete: projectWriteProcedure
    .input(z.object({ viewId: z.string().min(1) }))
    .output(z.object({ ok: z.literal(true) }))
    .mutation(async ({ ctx, input }) => {
      await deleteSavedView(ctx.project.id, input.viewId);
      return { ok: true as const };
    }),
});
