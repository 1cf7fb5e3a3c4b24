import { issueApiKey, listApiKeys, revokeApiKey } from "@spanlens/db";
import { z } from "zod";
import { createTRPCRouter, projectProcedure, projectWriteProcedure } from "../../../server/trpc/init";

const ZApiKeyDto = z.object({
  id: z.string(),
  name: z.string().nullable(),
  publicKey: z.string(),
  secretPrefix: z.string(),
  createdAt: z.date(),
  lastUsedAt: z.date().nullable(),
});
export type TApiKeyDto = z.infer<typeof ZApiKeyDto>;

export const apiKeyRouter = createTRPCRouter({
  list: projectProcedure.output(z.array(ZApiKeyDto)).query(({ ctx }) => listApiKeys(ctx.project.id)),

  /** The secret is in this response only; afterwards the list shows its prefix. */
  create: projectWriteProcedure
    .input(z.object({ name: z.string().trim().max(100, "must be at most 100 characters").optional() }))
    .output(z.object({ id: z.string(), publicKey: z.string(), secretKey: z.string() }))
    .mutation(({ ctx, input }) =>
      issueApiKey({ projectId: ctx.project.id, actorId: ctx.user.id, ...(input.name ? { name: input.name } : {}) }),
    ),

  revoke: projectWriteProcedure
    .input(z.object({ apiKeyId: z.string().min(1) }))
    .output(z.object({ ok: z.literal(true) }))
    .mutation(async ({ ctx, input }) => {
      await revokeApiKey({ projectId: ctx.project.id, apiKeyId: input.apiKeyId, actorId: ctx.user.id });
      return { ok: true as const };
    }),
});
