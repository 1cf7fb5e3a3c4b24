import { isAppError, type TErrorCode } from "@spanlens/core";
import { getOrganizationForUser, getProjectForUser, isAdminRole } from "@spanlens/db";
import { initTRPC, TRPCError } from "@trpc/server";
import superjson from "superjson";
import { ZodError, z } from "zod";
import type { TSessionUser } from "../auth";

/** Everything a procedure may know about the caller. */
export interface TTRPCContext {
  user: TSessionUser | null;
  /** The client's address, for rate limits on unauthenticated procedures. */
  clientIp: string;
}

type TTRPCCode = TRPCError["code"];

const TRPC_CODE_BY_APP_CODE: Record<TErrorCode, TTRPCCode> = {
  BAD_REQUEST: "BAD_REQUEST",
  REQUEST_TIMEOUT: "TIMEOUT",
  UNAUTHORIZED: "UNAUTHORIZED",
  FORBIDDEN: "FORBIDDEN",
  NOT_FOUND: "NOT_FOUND",
  METHOD_NOT_ALLOWED: "METHOD_NOT_SUPPORTED",
  CONFLICT: "CONFLICT",
  PAYLOAD_TOO_LARGE: "PAYLOAD_TOO_LARGE",
  UNSUPPORTED_MEDIA_TYPE: "UNSUPPORTED_MEDIA_TYPE",
  TOO_MANY_REQUESTS: "TOO_MANY_REQUESTS",
  INTERNAL: "INTERNAL_SERVER_ERROR",
  UNAVAILABLE: "SERVICE_UNAVAILABLE",
};

const t = initTRPC.context<TTRPCContext>().create({
  transformer: superjson,
  errorFormatter({ shape }) {
    // Server faults keep their details in the log (see the route's onError), never in the response.
    if (shape.data.httpStatus >= 500) {
      const { stack: _stack, ...data } = shape.data;
      return { ...shape, message: "Internal server error", data };
    }
    return shape;
  },
});

function formatZodIssues(error: ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length > 0 ? issue.path.map(String).join(".") : "input"}: ${issue.message}`)
    .join("; ");
}

/**
 * Services throw AppError; this is the one place tRPC turns it into the matching code.
 * Input errors get a message naming the field (`email: is required`), like the REST API.
 */
const mapAppErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok && result.error.cause instanceof ZodError) {
    throw new TRPCError({
      code: "BAD_REQUEST",
      message: formatZodIssues(result.error.cause),
      cause: result.error.cause,
    });
  }
  if (!result.ok && isAppError(result.error.cause)) {
    const appError = result.error.cause;
    throw new TRPCError({ code: TRPC_CODE_BY_APP_CODE[appError.code], message: appError.message, cause: appError });
  }
  return result;
});

export const createTRPCRouter = t.router;
export const createCallerFactory = t.createCallerFactory;

export const publicProcedure = t.procedure.use(mapAppErrors);

export const protectedProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.user) throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in to continue" });
  return next({ ctx: { user: ctx.user } });
});

/**
 * Tenancy for tRPC: every project-scoped procedure takes `projectId` and gets the
 * resolved project (with the caller's role) or NOT_FOUND, so a project the user cannot
 * see is indistinguishable from one that does not exist.
 */
export const projectProcedure = protectedProcedure
  .input(z.object({ projectId: z.string().min(1) }))
  .use(async ({ ctx, input, next }) => {
    const project = await getProjectForUser(ctx.user.id, input.projectId);
    if (!project) throw new TRPCError({ code: "NOT_FOUND", message: "Project not found" });
    return next({ ctx: { project } });
  });

/** Changes to a project's data: every role except VIEWER. */
export const projectWriteProcedure = projectProcedure.use(({ ctx, next }) => {
  if (ctx.project.role === "VIEWER") {
    throw new TRPCError({ code: "FORBIDDEN", message: "Viewers cannot change this project" });
  }
  return next();
});

/** Changes to the project itself and its API keys: organization owners and admins. */
export const projectAdminProcedure = projectProcedure.use(({ ctx, next }) => {
  if (!isAdminRole(ctx.project.role)) {
    throw new TRPCError({ code: "FORBIDDEN", message: "Only organization owners and admins can do this" });
  }
  return next();
});

/**
 * Tenancy for organization-level procedures: takes `orgId` and resolves the caller's
 * membership, or NOT_FOUND when the caller is not a member.
 */
export const orgProcedure = protectedProcedure
  .input(z.object({ orgId: z.string().min(1) }))
  .use(async ({ ctx, input, next }) => {
    const org = await getOrganizationForUser(ctx.user.id, input.orgId);
    if (!org) throw new TRPCError({ code: "NOT_FOUND", message: "Organization not found" });
    return next({ ctx: { org } });
  });

/** Member management, invites, project creation and the audit log: owners and admins. */
export const orgAdminProcedure = orgProcedure.use(({ ctx, next }) => {
  if (!isAdminRole(ctx.org.role)) {
    throw new TRPCError({ code: "FORBIDDEN", message: "Only organization owners and admins can do this" });
  }
  return next();
});
