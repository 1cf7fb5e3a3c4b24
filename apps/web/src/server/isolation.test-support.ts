import { randomUUID } from "node:crypto";
import { expect } from "vitest";

/**
 * The isolation matrix's cases: one per tRPC procedure of appRouter and one per route in
 * publicApiRoutes (isolation.integration.test.ts fails naming any procedure or route
 * without a case here, and any case left after its procedure or route is gone).
 */

export interface TTenant {
  orgId: string;
  projectId: string;
  ownerId: string;
  ownerEmail: string;
  /** A second member, target of member-management procedures. */
  memberId: string;
  inviteId: string;
  inviteToken: string;
  apiKeyId: string;
  secretKey: string;
  traceId: string;
}

export interface TFixture {
  a: TTenant;
  b: TTenant;
  viewerId: string;
  revokedSecretKey: string;
}

export type TScope =
  /** Callable without a session (sign-up only). */
  | { kind: "public"; reason: string }
  /** Acts on the caller's own account; `check` proves the answer holds nothing of tenant B. */
  | { kind: "user"; check: (result: unknown, fixture: TFixture) => void }
  /** Acts on the caller's own account and touches no tenant data; says why. */
  | { kind: "self"; reason: string }
  /** Scoped by an organization or a project id in the input. */
  | { kind: "tenant" };

export interface TProcedureCase {
  scope: TScope;
  /** Input aimed at the given tenant's resources. */
  input: (tenant: TTenant) => unknown;
}

const noInput = () => undefined;

// Keep in step with appRouter: a procedure without an entry fails the coverage test.
export const procedureCases: Record<string, TProcedureCase> = {
  "account.signUp": {
    scope: { kind: "public", reason: "creates a new account; rate-limited per address" },
    input: () => ({ email: `matrix-${randomUUID()}@example.test`, password: "long-enough-password" }),
  },
  "account.me": {
    scope: { kind: "user", check: (me, f) => expect((me as { id: string }).id).not.toBe(f.b.ownerId) },
    input: noInput,
  },
  "account.changePassword": {
    scope: { kind: "self", reason: "changes the caller's own password only" },
    input: () => ({ currentPassword: "wrong-password", newPassword: "another-long-password" }),
  },
  "org.list": {
    scope: {
      kind: "user",
      check: (orgs, f) => expect((orgs as { id: string }[]).map((o) => o.id)).not.toContain(f.b.orgId),
    },
    input: noInput,
  },
  "org.create": {
    scope: { kind: "self", reason: "creates a new organization owned by the caller" },
    input: () => ({ name: "matrix org" }),
  },
  "org.byId": { scope: { kind: "tenant" }, input: (t) => ({ orgId: t.orgId }) },
  "org.members": { scope: { kind: "tenant" }, input: (t) => ({ orgId: t.orgId }) },
  "org.updateMemberRole": {
    scope: { kind: "tenant" },
    input: (t) => ({ orgId: t.orgId, userId: t.memberId, role: "ADMIN" }),
  },
  "org.removeMember": { scope: { kind: "tenant" }, input: (t) => ({ orgId: t.orgId, userId: t.memberId }) },
  "org.invites": { scope: { kind: "tenant" }, input: (t) => ({ orgId: t.orgId }) },
  "org.invite": {
    scope: { kind: "tenant" },
    input: (t) => ({ orgId: t.orgId, email: `invitee-${randomUUID()}@example.test`, role: "MEMBER" }),
  },
  "org.revokeInvite": { scope: { kind: "tenant" }, input: (t) => ({ orgId: t.orgId, inviteId: t.inviteId }) },
  "org.inviteDetails": {
    scope: { kind: "self", reason: "answers to whoever holds the secret invite link, which is its purpose" },
    input: (t) => ({ token: t.inviteToken }),
  },
  "org.acceptInvite": {
    // Tested below: accepting tenant B's invite (addressed to someone else) is FORBIDDEN.
    scope: { kind: "self", reason: "joins only when the invite is addressed to the caller's email" },
    input: (t) => ({ token: t.inviteToken }),
  },
  "audit.list": { scope: { kind: "tenant" }, input: (t) => ({ orgId: t.orgId }) },
  "project.list": {
    scope: {
      kind: "user",
      check: (projects, f) => expect((projects as { id: string }[]).map((p) => p.id)).not.toContain(f.b.projectId),
    },
    input: noInput,
  },
  "project.byId": { scope: { kind: "tenant" }, input: (t) => ({ projectId: t.projectId }) },
  "project.listInOrg": { scope: { kind: "tenant" }, input: (t) => ({ orgId: t.orgId }) },
  "project.create": { scope: { kind: "tenant" }, input: (t) => ({ orgId: t.orgId, name: "matrix project" }) },
  "project.rename": { scope: { kind: "tenant" }, input: (t) => ({ projectId: t.projectId, name: "renamed" }) },
  "project.delete": { scope: { kind: "tenant" }, input: (t) => ({ projectId: t.projectId }) },
  "apiKey.list": { scope: { kind: "tenant" }, input: (t) => ({ projectId: t.projectId }) },
  "apiKey.create": { scope: { kind: "tenant" }, input: (t) => ({ projectId: t.projectId, name: "matrix" }) },
  "apiKey.revoke": { scope: { kind: "tenant" }, input: (t) => ({ projectId: t.projectId, apiKeyId: t.apiKeyId }) },
  "trace.recent": { scope: { kind: "tenant" }, input: (t) => ({ projectId: t.projectId }) },
  "trace.list": { scope: { kind: "tenant" }, input: (t) => ({ projectId: t.projectId, query: {} }) },
  "trace.tree": { scope: { kind: "tenant" }, input: (t) => ({ projectId: t.projectId, traceId: t.traceId }) },
  "trace.span": {
    scope: { kind: "tenant" },
    input: (t) => ({ projectId: t.projectId, traceId: t.traceId, spanId: t.traceId.slice(0, 16) }),
  },
  "savedView.list": { scope: { kind: "tenant" }, input: (t) => ({ projectId: t.projectId }) },
  "savedView.save": {
    scope: { kind: "tenant" },
    input: (t) => ({ projectId: t.projectId, name: "matrix view", query: "status=error" }),
  },
  "savedView.delete": { scope: { kind: "tenant" }, input: (t) => ({ projectId: t.projectId, viewId: "missing" }) },
  "session.list": { scope: { kind: "tenant" }, input: (t) => ({ projectId: t.projectId }) },
  "session.turns": { scope: { kind: "tenant" }, input: (t) => ({ projectId: t.projectId, sessionId: "matrix" }) },
  "user.list": { scope: { kind: "tenant" }, input: (t) => ({ projectId: t.projectId }) },
  "usage.ingest": { scope: { kind: "tenant" }, input: (t) => ({ projectId: t.projectId }) },
  "usage.problems": { scope: { kind: "tenant" }, input: (t) => ({ projectId: t.projectId }) },
  "score.configs": { scope: { kind: "tenant" }, input: (t) => ({ projectId: t.projectId }) },
  "score.createConfig": {
    scope: { kind: "tenant" },
    input: (t) => ({ projectId: t.projectId, config: { name: `matrix-${randomUUID()}`, dataType: "BOOLEAN" } }),
  },
  "score.setConfigArchived": {
    scope: { kind: "tenant" },
    input: (t) => ({ projectId: t.projectId, configId: "missing", isArchived: true }),
  },
  "score.forTrace": { scope: { kind: "tenant" }, input: (t) => ({ projectId: t.projectId, traceId: t.traceId }) },
  "score.myAnnotations": {
    scope: { kind: "tenant" },
    input: (t) => ({ projectId: t.projectId, traceId: t.traceId }),
  },
  "score.annotate": {
    scope: { kind: "tenant" },
    input: (t) => ({ projectId: t.projectId, traceId: t.traceId, configId: "missing", value: true }),
  },
  "score.deleteAnnotation": {
    scope: { kind: "tenant" },
    input: (t) => ({ projectId: t.projectId, scoreId: "missing" }),
  },
  "score.settings": { scope: { kind: "tenant" }, input: (t) => ({ projectId: t.projectId }) },
  "score.updateSettings": {
    scope: { kind: "tenant" },
    input: (t) => ({
      projectId: t.projectId,
      settings: { lowConfidenceRules: [], requireScoreConfig: false, monthlyJudgeBudgetUsd: null },
    }),
  },
  "evaluator.catalog": { scope: { kind: "tenant" }, input: (t) => ({ projectId: t.projectId }) },
  "evaluator.list": { scope: { kind: "tenant" }, input: (t) => ({ projectId: t.projectId }) },
  "evaluator.save": {
    scope: { kind: "tenant" },
    input: (t) => ({
      projectId: t.projectId,
      evaluator: { name: "matrix", scoreName: "matrix", config: { type: "latency_budget", maxMs: 1000 } },
    }),
  },
  "evaluator.setEnabled": {
    scope: { kind: "tenant" },
    input: (t) => ({ projectId: t.projectId, evaluatorId: "missing", isEnabled: false }),
  },
  "evaluator.delete": { scope: { kind: "tenant" }, input: (t) => ({ projectId: t.projectId, evaluatorId: "missing" }) },
  "evaluator.runs": { scope: { kind: "tenant" }, input: (t) => ({ projectId: t.projectId }) },
  "evaluator.explain": {
    scope: { kind: "tenant" },
    input: (t) => ({ projectId: t.projectId, evaluatorId: "missing" }),
  },
  "evaluator.connections": { scope: { kind: "tenant" }, input: (t) => ({ projectId: t.projectId }) },
  "evaluator.saveConnection": {
    scope: { kind: "tenant" },
    input: (t) => ({
      projectId: t.projectId,
      connection: { name: "matrix", baseUrl: "http://127.0.0.1:9/v1", defaultModel: "matrix-model" },
    }),
  },
  "evaluator.deleteConnection": {
    scope: { kind: "tenant" },
    input: (t) => ({ projectId: t.projectId, connectionId: "missing" }),
  },
  "annotation.queues": { scope: { kind: "tenant" }, input: (t) => ({ projectId: t.projectId }) },
  "annotation.createQueue": {
    scope: { kind: "tenant" },
    input: (t) => ({ projectId: t.projectId, queue: { name: "matrix", filter: {}, scoreConfigIds: ["missing"] } }),
  },
  "annotation.deleteQueue": {
    scope: { kind: "tenant" },
    input: (t) => ({ projectId: t.projectId, queueId: "missing" }),
  },
  "annotation.items": { scope: { kind: "tenant" }, input: (t) => ({ projectId: t.projectId, queueId: "missing" }) },
  "annotation.traceBrief": {
    scope: { kind: "tenant" },
    input: (t) => ({ projectId: t.projectId, traceId: t.traceId }),
  },
};

export interface TRouteCase {
  params?: (tenant: TTenant) => Record<string, string>;
  query?: (tenant: TTenant) => Record<string, string>;
  body?: (tenant: TTenant) => unknown;
  /**
   * "not-found": the path names tenant B's resource, so key A must get 404.
   * "scoped": the key alone fixes the project; `check` proves key A's answer holds nothing of B.
   */
  crossTenant: { kind: "not-found" } | { kind: "scoped"; check: (body: unknown, fixture: TFixture) => void };
}

// Keep in step with publicApiRoutes: a route without an entry fails the coverage test.
export const routeCases: Record<string, TRouteCase> = {
  "GET /whoami": {
    crossTenant: {
      kind: "scoped",
      check: (body, f) => expect((body as { projectId: string }).projectId).toBe(f.a.projectId),
    },
  },
  "GET /traces": {
    query: () => ({ from: new Date(Date.now() - 3600_000).toISOString() }),
    crossTenant: {
      kind: "scoped",
      check: (body, f) => {
        const traceIds = (body as { data: { traceId: string }[] }).data.map((trace) => trace.traceId);
        expect(traceIds).toContain(f.a.traceId);
        expect(traceIds).not.toContain(f.b.traceId);
      },
    },
  },
  "GET /usage": {
    crossTenant: {
      kind: "scoped",
      // Each tenant's one request: tenant B's would make it two.
      check: (body) => expect((body as { totals: { requests: number } }).totals.requests).toBe(1),
    },
  },
  "GET /usage/problems": {
    crossTenant: {
      kind: "scoped",
      // Each tenant's one refused export names its project.
      check: (body, fixture) =>
        expect((body as { data: { message: string }[] }).data.map((problem) => problem.message)).toEqual([
          `matrix refusal for ${fixture.a.projectId}`,
        ]),
    },
  },
  "GET /traces/{traceId}": {
    params: (t) => ({ traceId: t.traceId }),
    crossTenant: { kind: "not-found" },
  },
  "GET /traces/{traceId}/tree": {
    params: (t) => ({ traceId: t.traceId }),
    crossTenant: { kind: "not-found" },
  },
  "GET /traces/{traceId}/spans/{spanId}": {
    params: (t) => ({ traceId: t.traceId, spanId: t.traceId.slice(0, 16) }),
    crossTenant: { kind: "not-found" },
  },
  // Scores and KPI events are stored in the key's project whatever ids they name, so key A
  // posting "onto" tenant B's trace writes A's own row; the list cases below prove that
  // row is all A sees (these describes run in registry order: creates before lists).
  "POST /scores": {
    body: (t) => ({ id: `matrix-${t.projectId}`, traceId: t.traceId, name: "matrix_feedback", value: 1 }),
    crossTenant: { kind: "scoped", check: (body) => expect(Object.keys(body as object)).toEqual(["id"]) },
  },
  "POST /scores/batch": {
    body: (t) => ({ scores: [{ sessionId: `matrix-${t.projectId}`, name: "matrix_feedback", value: 0 }] }),
    crossTenant: {
      kind: "scoped",
      check: (body) => expect((body as { ids: string[] }).ids).toHaveLength(1),
    },
  },
  "GET /scores": {
    query: (t) => ({ traceId: t.traceId }),
    crossTenant: {
      kind: "scoped",
      // Only the score key A itself posted; tenant B's own score on that trace stays invisible.
      check: (body) => expect((body as { data: unknown[] }).data).toHaveLength(1),
    },
  },
  "DELETE /scores/{scoreId}": {
    // Score ids are per project: key A deletes the copy it posted under this id, never B's.
    params: (t) => ({ scoreId: `matrix-${t.projectId}` }),
    crossTenant: {
      kind: "scoped",
      check: (body, f) => expect(body).toEqual({ id: `matrix-${f.b.projectId}`, deleted: true }),
    },
  },
  "POST /kpis": {
    body: (t) => ({ name: "matrix_kpi", value: 1, traceId: t.traceId }),
    crossTenant: { kind: "scoped", check: (body) => expect(Object.keys(body as object)).toEqual(["id"]) },
  },
  "POST /kpis/batch": {
    body: (t) => ({ events: [{ name: "matrix_kpi", value: 2, sessionId: `matrix-${t.projectId}` }] }),
    crossTenant: { kind: "scoped", check: (body) => expect((body as { ids: string[] }).ids).toHaveLength(1) },
  },
  "GET /kpis": {
    query: (t) => ({ traceId: t.traceId }),
    crossTenant: {
      kind: "scoped",
      // Key A sees its own event naming B's trace, and that trace is not found in A's project.
      check: (body) => {
        const events = (body as { data: { traceFound: boolean }[] }).data;
        expect(events).toHaveLength(1);
        expect(events[0]?.traceFound).toBe(false);
      },
    },
  },
};
