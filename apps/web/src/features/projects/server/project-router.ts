import { listProjectsForUser } from "@spanlens/db";
import { z } from "zod";
import { createTRPCRouter, projectProcedure, protectedProcedure } from "../../../server/trpc/init";
import { ZProjectDto } from "../lib/project-dto";

export const projectRouter = createTRPCRouter({
  list: protectedProcedure.output(z.array(ZProjectDto)).query(({ ctx }) => listProjectsForUser(ctx.user.id)),

  // The project is resolved (and access checked) by projectProcedure itself.
  byId: projectProcedure.output(ZProjectDto).query(({ ctx }) => ctx.project),
});
