import { projectRouter } from "../../features/projects/server";
import { createCallerFactory, createTRPCRouter } from "./init";

export const appRouter = createTRPCRouter({
  project: projectRouter,
});

export type TAppRouter = typeof appRouter;

export const createCaller = createCallerFactory(appRouter);
