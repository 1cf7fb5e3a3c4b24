import { projectRouter } from "../../features/projects/server";
import { traceRouter } from "../../features/traces/server";
import { createCallerFactory, createTRPCRouter } from "./init";

export const appRouter = createTRPCRouter({
  project: projectRouter,
  trace: traceRouter,
});

export type TAppRouter = typeof appRouter;

export const createCaller = createCallerFactory(appRouter);
