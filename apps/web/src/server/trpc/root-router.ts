import { annotationRouter } from "../../features/annotations/server";
import { apiKeyRouter } from "../../features/api-keys/server";
import { auditRouter } from "../../features/audit/server";
import { accountRouter } from "../../features/auth/server";
import { evaluatorRouter } from "../../features/evaluators/server";
import { orgRouter } from "../../features/orgs/server";
import { projectRouter } from "../../features/projects/server";
import { scoreRouter } from "../../features/scores/server";
import { sessionRouter } from "../../features/sessions/server";
import { savedViewRouter, traceRouter } from "../../features/traces/server";
import { usageRouter } from "../../features/usage/server";
import { userRouter } from "../../features/users/server";
import { createCallerFactory, createTRPCRouter } from "./init";

export const appRouter = createTRPCRouter({
  account: accountRouter,
  apiKey: apiKeyRouter,
  annotation: annotationRouter,
  audit: auditRouter,
  evaluator: evaluatorRouter,
  org: orgRouter,
  project: projectRouter,
  score: scoreRouter,
  savedView: savedViewRouter,
  session: sessionRouter,
  trace: traceRouter,
  usage: usageRouter,
  user: userRouter,
});

export type TAppRouter = typeof appRouter;

export const createCaller = createCallerFactory(appRouter);
