import { createProject, deleteProject, listProjectsForUser, listProjectsInOrg, renameProject } from "@spanlens/db";
import { z } from "zod";
import {
  createTRPCRouter,
  orgAdminProcedure,
  orgProcedure,
  projectAdminProcedure,
  projectProcedure,
  protectedProcedure,
} from "../../../server/trpc/init";
import { ZProjectDto } from "../lib/project-dto";

const ZProjectName = z.string().trim().min(1, "is required").max(100, "must be at most 100 characters");

export const projectRouter = createTRPCRouter({
  list: protectedProcedure.output(z.array(ZProjectDto)).query(({ ctx }) => listProjectsForUser(ctx.user.id)),

  // The project is resolved (and access checked) by projectProcedure itself.
  byId: projectProcedure.output(ZProjectDto).query(({ ctx }) => ctx.project),

  listInOrg: orgProcedure.output(z.array(ZProjectDto)).query(({ ctx }) => listProjectsInOrg(ctx.org.id, ctx.org.role)),

  create: orgAdminProcedure
    .input(z.object({ name: ZProjectName }))
    .output(ZProjectDto)
    .mutation(({ ctx, input }) => createProject({ orgId: ctx.org.id, actorId: ctx.user.id, name: input.name })),

  rename: projectAdminProcedure
    .input(z.object({ name: ZProjectName }))
    .output(z.object({ ok: z.literal(true) }))
    .mutation(async ({ ctx, input }) => {
      await renameProject({ projectId: ctx.project.id, actorId: ctx.user.id, name: input.name });
      return { ok: true as const };
    }),

  delete: projectAdminProcedure.output(z.object({ ok: z.literal(true) })).mutation(async ({ ctx }) => {
    await deleteProject({ projectId: ctx.project.id, actorId: ctx.user.id });
    return { ok: true as const };
  }),
});
