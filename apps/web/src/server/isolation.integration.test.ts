import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  closeClickHouse,
  initClickHouse,
  runClickHouseMigrations,
  toClickHouseTime,
  toSpanRow,
} from "@spanlens/clickhouse";
import { normalizeSpan } from "@spanlens/core";
import {
  clearApiKeyCache,
  closePrisma,
  createApiKey,
  createInvite,
  getPrisma,
  hashPassword,
  revokeApiKey,
} from "@spanlens/db";
import { closeRedis, createIngestProblemRecorder, getRedis, ingestProblemsKey } from "@spanlens/queue";
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  procedureCases,
  routeCases,
  type TFixture,
  type TProcedureCase,
  type TScope,
  type TTenant,
} from "./isolation.test-support";
import { publicApiRoutes } from "./public-api/registry";
import { appRouter, createCaller } from "./trpc/root-router";

/**
 * The isolation matrix. It is driven by the router definitions: every tRPC procedure of
 * appRouter and every route in publicApiRoutes must have a case (isolation.test-support.ts), or the first test
 * fails naming the missing ones. For each, a caller of tenant A is refused tenant B's
 * data, a viewer cannot mutate, and an anonymous caller gets 401.
 */

const TENANCY_MESSAGES = ["Project not found", "Organization not found"];

const suffix = randomUUID();
let dataDir = "";
const fixture = {} as TFixture;
const createdUserIds: string[] = [];

function randomHex(bytes: number): string {
  return randomUUID()
    .replaceAll("-", "")
    .padEnd(bytes * 2, "0")
    .slice(0, bytes * 2);
}

async function insertTrace(projectId: string): Promise<string> {
  const traceId = randomHex(16);
  const now = BigInt(Date.now()) * 1_000_000n;
  const span = normalizeSpan({
    traceId,
    // Derived from the trace id so span-level cases can name it.
    spanId: traceId.slice(0, 16),
    parentSpanId: null,
    name: "matrix root",
    kind: 2,
    startTimeUnixNano: String(now - 5_000_000n),
    endTimeUnixNano: String(now),
    attributes: {},
    events: [],
    links: [],
    status: { code: 1, message: "" },
    resource: { "service.name": "matrix" },
    scope: { name: "matrix", version: "1", attributes: {} },
  });
  const client = await initClickHouse();
  await client.insert({ table: "spans", values: [toSpanRow(projectId, span)], format: "JSONEachRow" });
  // The request that carried it, as the worker records it for the project's usage.
  await client.insert({
    table: "ingest_receipts",
    values: [
      {
        project_id: projectId,
        request_id: traceId,
        received_at: toClickHouseTime(Date.now()),
        span_count: 1,
        bytes: 512,
      },
    ],
    format: "JSONEachRow",
  });
  // An export of the project's that the receiver refused, as Settings → Usage lists it.
  const problems = createIngestProblemRecorder({ redis: getRedis, flushMs: 3_600_000 });
  problems.record(projectId, {
    transport: "http",
    signal: "traces",
    status: 400,
    message: `matrix refusal for ${projectId}`,
    userAgent: "matrix",
  });
  await problems.close();
  return traceId;
}

async function createUser(label: string): Promise<{ id: string; email: string }> {
  const email = `${label}-${suffix}@example.test`;
  const user = await getPrisma().user.create({ data: { email, passwordHash: await hashPassword("matrix-password") } });
  createdUserIds.push(user.id);
  return { id: user.id, email };
}

async function createTenant(label: string): Promise<TTenant> {
  const prisma = getPrisma();
  const owner = await createUser(`${label}-owner`);
  const member = await createUser(`${label}-member`);
  const org = await prisma.organization.create({
    data: {
      name: `${label} ${suffix}`,
      memberships: {
        create: [
          { userId: owner.id, role: "OWNER" },
          { userId: member.id, role: "MEMBER" },
        ],
      },
    },
  });
  const project = await prisma.project.create({ data: { orgId: org.id, name: `${label} project` } });
  const key = await createApiKey(project.id, "matrix");
  const invite = await createInvite({
    orgId: org.id,
    actorId: owner.id,
    actorRole: "OWNER",
    email: `${label}-invitee-${suffix}@example.test`,
    role: "MEMBER",
  });
  return {
    orgId: org.id,
    projectId: project.id,
    ownerId: owner.id,
    ownerEmail: owner.email,
    memberId: member.id,
    inviteId: invite.id,
    inviteToken: invite.token,
    apiKeyId: key.id,
    secretKey: key.secretKey,
    traceId: await insertTrace(project.id),
  };
}

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), "spanlens-isolation-"));
  const client = await initClickHouse({ mode: "embedded", path: dataDir, database: "spanlens" });
  await runClickHouseMigrations(client, { database: "spanlens" });
  fixture.a = await createTenant("a");
  fixture.b = await createTenant("b");
  const viewer = await createUser("a-viewer");
  await getPrisma().membership.create({ data: { orgId: fixture.a.orgId, userId: viewer.id, role: "VIEWER" } });
  fixture.viewerId = viewer.id;
  const revoked = await createApiKey(fixture.a.projectId, "revoked");
  await revokeApiKey({ projectId: fixture.a.projectId, apiKeyId: revoked.id, actorId: fixture.a.ownerId });
  fixture.revokedSecretKey = revoked.secretKey;
});

afterAll(async () => {
  const prisma = getPrisma();
  await prisma.organization.deleteMany({ where: { OR: [{ name: { endsWith: suffix } }, { name: "matrix org" }] } });
  await prisma.user.deleteMany({ where: { id: { in: createdUserIds } } });
  await prisma.user.deleteMany({ where: { email: { startsWith: "matrix-" } } });
  await getRedis().del(ingestProblemsKey(fixture.a.projectId), ingestProblemsKey(fixture.b.projectId));
  await closeClickHouse();
  await closeRedis();
  await closePrisma();
  await rm(dataDir, { recursive: true, force: true });
});

function callerFor(userId: string | null, email = "") {
  return createCaller({
    user: userId ? { id: userId, email, name: null } : null,
    clientIp: `matrix-${randomUUID()}`,
  });
}

/** Calls a procedure by its dotted path through a caller, as the browser would. */
async function callProcedure(caller: ReturnType<typeof createCaller>, procedurePath: string, input: unknown) {
  let target: unknown = caller;
  for (const segment of procedurePath.split(".")) target = (target as Record<string, unknown>)[segment];
  return (target as (input: unknown) => Promise<unknown>)(input);
}

async function expectTRPCError(promise: Promise<unknown>): Promise<TRPCError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error, "expected the call to be refused").toBeInstanceOf(TRPCError);
  return error as TRPCError;
}

const procedures = Object.entries(
  appRouter._def.procedures as unknown as Record<string, { _def: { type: string } }>,
).map(([procedurePath, procedure]) => ({ procedurePath, type: procedure._def.type }));
const routeKey = (route: (typeof publicApiRoutes)[number]) => `${route.definition.method} ${route.definition.path}`;

describe("isolation matrix coverage", () => {
  it("has a case for every tRPC procedure", () => {
    const missing = procedures.map((p) => p.procedurePath).filter((name) => !(name in procedureCases));
    expect(missing, `add isolation cases for: ${missing.join(", ")}`).toEqual([]);
  });

  it("has a case for every public API route", () => {
    const missing = publicApiRoutes.map(routeKey).filter((key) => !(key in routeCases));
    expect(missing, `add isolation cases for: ${missing.join(", ")}`).toEqual([]);
  });

  it("has no stale cases", () => {
    const procedureNames = new Set(procedures.map((p) => p.procedurePath));
    const routeKeys = new Set(publicApiRoutes.map(routeKey));
    expect(Object.keys(procedureCases).filter((name) => !procedureNames.has(name))).toEqual([]);
    expect(Object.keys(routeCases).filter((key) => !routeKeys.has(key))).toEqual([]);
  });
});

type TProcedureCheck = "anonymous" | "cross-tenant" | "viewer" | "control" | "own-data";

/** The checks that apply to a procedure, so every generated test asserts something. */
function checksFor(type: string, scope: TScope | undefined): TProcedureCheck[] {
  if (!scope) return [];
  const checks: TProcedureCheck[] = scope.kind === "public" ? [] : ["anonymous"];
  if (scope.kind === "tenant") {
    checks.push("cross-tenant", type === "mutation" ? "viewer" : "control");
  }
  if (scope.kind === "user") checks.push("own-data");
  return checks;
}

const procedureChecks = procedures.flatMap(({ procedurePath, type }) =>
  checksFor(type, procedureCases[procedurePath]?.scope).map((check) => ({ procedurePath, type, check })),
);

describe("tRPC procedures", () => {
  it.each(procedureChecks)("$procedurePath ($type): $check", async ({ procedurePath, check }) => {
    const testCase = procedureCases[procedurePath] as TProcedureCase;
    switch (check) {
      case "anonymous": {
        const error = await expectTRPCError(callProcedure(callerFor(null), procedurePath, testCase.input(fixture.b)));
        expect(error.code).toBe("UNAUTHORIZED");
        break;
      }
      case "cross-tenant": {
        // Tenant A's owner on tenant B's data: refused by the procedure type, as if it did not exist.
        const caller = callerFor(fixture.a.ownerId, fixture.a.ownerEmail);
        const error = await expectTRPCError(callProcedure(caller, procedurePath, testCase.input(fixture.b)));
        expect(error.code).toBe("NOT_FOUND");
        expect(TENANCY_MESSAGES).toContain(error.message);
        break;
      }
      case "viewer": {
        const caller = callerFor(fixture.viewerId);
        const error = await expectTRPCError(callProcedure(caller, procedurePath, testCase.input(fixture.a)));
        expect(error.code).toBe("FORBIDDEN");
        break;
      }
      case "control": {
        // The same input serves its own tenant, so the refusals above are not bad input.
        const caller = callerFor(fixture.b.ownerId, fixture.b.ownerEmail);
        await expect(callProcedure(caller, procedurePath, testCase.input(fixture.b))).resolves.toBeDefined();
        break;
      }
      case "own-data": {
        const scope = testCase.scope as Extract<TScope, { kind: "user" }>;
        const caller = callerFor(fixture.a.ownerId, fixture.a.ownerEmail);
        scope.check(await callProcedure(caller, procedurePath, testCase.input(fixture.a)), fixture);
        break;
      }
    }
  });
});

describe.each(publicApiRoutes.map((route) => ({ key: routeKey(route), route })))(
  "public API $key",
  ({ key, route }) => {
    const testCase = routeCases[key];

    function buildRequest(tenant: TTenant, authorization: string | null) {
      const query = new URLSearchParams(testCase?.query?.(tenant) ?? {});
      const body = testCase?.body?.(tenant);
      const request = new Request(`http://matrix.test/api/public/v1${route.definition.path}?${query}`, {
        method: route.definition.method,
        headers: authorization ? { authorization, "content-type": "application/json" } : {},
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return route(request, { params: Promise.resolve(testCase?.params?.(tenant) ?? {}) });
    }

    it.each([
      ["no credentials", null],
      ["a malformed key", "Bearer not-a-key"],
      ["an unknown key", `Bearer sk-sl-${randomUUID()}`],
      ["an unsupported scheme", "Token abc"],
    ])("answers 401 to %s", async (_label, authorization) => {
      const response = await buildRequest(fixture.b, authorization);
      expect(response.status).toBe(401);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe("UNAUTHORIZED");
    });

    it("answers 401 to a revoked key", async () => {
      clearApiKeyCache();
      const response = await buildRequest(fixture.a, `Bearer ${fixture.revokedSecretKey}`);
      expect(response.status).toBe(401);
      expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(/revoked/);
    });

    it("keeps tenant A's key out of tenant B's data", async () => {
      const response = await buildRequest(fixture.b, `Bearer ${fixture.a.secretKey}`);
      if (testCase?.crossTenant.kind === "not-found") {
        expect(response.status).toBe(404);
      } else {
        expect(response.status).toBeLessThan(300);
        testCase?.crossTenant.check(await response.json(), fixture);
      }
    });

    it("serves tenant B's key on tenant B's data", async () => {
      const response = await buildRequest(fixture.b, `Bearer ${fixture.b.secretKey}`);
      expect(response.status).toBeLessThan(300);
    });
  },
);

describe("token- and account-scoped procedures", () => {
  it("does not let tenant A's owner accept an invite addressed to someone else", async () => {
    const caller = callerFor(fixture.a.ownerId, fixture.a.ownerEmail);
    const error = await expectTRPCError(caller.org.acceptInvite({ token: fixture.b.inviteToken }));
    expect(error.code).toBe("FORBIDDEN");
    expect(await getPrisma().membership.count({ where: { orgId: fixture.b.orgId, userId: fixture.a.ownerId } })).toBe(
      0,
    );
  });

  it("creates an organization owned by the caller and nobody else", async () => {
    const caller = callerFor(fixture.viewerId);
    const org = await caller.org.create({ name: "matrix org" });
    expect(org.role).toBe("OWNER");
    const members = await caller.org.members({ orgId: org.id });
    expect(members.map((m) => m.userId)).toEqual([fixture.viewerId]);
  });
});
