import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  authenticateApiKey,
  clearApiKeyCache,
  createApiKey,
  listApiKeys,
  RevokedApiKeyError,
  revokeApiKey,
} from "./api-keys.js";
import { closePrisma, getPrisma } from "./client.js";
import { hashPassword } from "./passwords.js";
import { getProjectForUser, listProjectsForUser } from "./projects.js";
import { verifyUserCredentials } from "./users.js";

// Each run creates its own users, orgs and projects with unique names and removes them.
const suffix = randomUUID();
const fixture = { userA: "", userB: "", orgA: "", orgB: "", projectA: "", projectB: "" };

beforeAll(async () => {
  const prisma = getPrisma();
  const [userA, userB] = await Promise.all(
    ["a", "b"].map(async (who) =>
      prisma.user.create({
        data: { email: `${who}-${suffix}@example.test`, passwordHash: await hashPassword(`pw-${who}`) },
      }),
    ),
  );
  if (!userA || !userB) throw new Error("fixture users missing");
  const orgA = await prisma.organization.create({
    data: { name: `A ${suffix}`, memberships: { create: { userId: userA.id, role: "VIEWER" } } },
  });
  const orgB = await prisma.organization.create({
    data: { name: `B ${suffix}`, memberships: { create: { userId: userB.id, role: "OWNER" } } },
  });
  const projectA = await prisma.project.create({ data: { orgId: orgA.id, name: "alpha" } });
  const projectB = await prisma.project.create({ data: { orgId: orgB.id, name: "beta" } });
  Object.assign(fixture, {
    userA: userA.id,
    userB: userB.id,
    orgA: orgA.id,
    orgB: orgB.id,
    projectA: projectA.id,
    projectB: projectB.id,
  });
});

afterAll(async () => {
  const prisma = getPrisma();
  await prisma.organization.deleteMany({ where: { id: { in: [fixture.orgA, fixture.orgB] } } });
  await prisma.user.deleteMany({ where: { id: { in: [fixture.userA, fixture.userB] } } });
  await closePrisma();
});

describe("accounts against Postgres", () => {
  it("verifies credentials without telling unknown emails from wrong passwords", async () => {
    expect((await verifyUserCredentials(`A-${suffix}@example.test `, "pw-a"))?.id).toBe(fixture.userA);
    expect(await verifyUserCredentials(`a-${suffix}@example.test`, "pw-b")).toBeNull();
    expect(await verifyUserCredentials(`nobody-${suffix}@example.test`, "pw-a")).toBeNull();
  });

  it("scopes projects to the user's organizations", async () => {
    const projects = await listProjectsForUser(fixture.userA);
    expect(projects.map((p) => p.id)).toEqual([fixture.projectA]);
    expect(projects[0]?.role).toBe("VIEWER");
    expect(await getProjectForUser(fixture.userA, fixture.projectB)).toBeNull();
    expect((await getProjectForUser(fixture.userB, fixture.projectB))?.orgName).toBe(`B ${suffix}`);
  });

  it("authenticates a key to its project and stops a revoked key", async () => {
    const key = await createApiKey(fixture.projectA);
    const stored = await getPrisma().apiKey.findUniqueOrThrow({ where: { id: key.id } });
    expect(stored.secretHash).not.toContain(key.secretKey);
    expect(JSON.stringify(stored)).not.toContain(key.secretKey);

    expect(await authenticateApiKey(`Bearer ${key.secretKey}`)).toEqual({
      projectId: fixture.projectA,
      apiKeyId: key.id,
    });
    const basic = Buffer.from(`${key.publicKey}:${key.secretKey}`).toString("base64");
    expect((await authenticateApiKey(`Basic ${basic}`)).projectId).toBe(fixture.projectA);

    const other = await createApiKey(fixture.projectB);
    const mixed = Buffer.from(`${other.publicKey}:${key.secretKey}`).toString("base64");
    await expect(authenticateApiKey(`Basic ${mixed}`)).rejects.toThrow(/unknown or has been revoked/);

    await getPrisma().apiKey.update({ where: { id: key.id }, data: { revokedAt: new Date() } });
    clearApiKeyCache();
    await expect(authenticateApiKey(`Bearer ${key.secretKey}`)).rejects.toThrow(/unknown or has been revoked/);
    // The refusal knows whose key it was (for the project's list of refused exports), unless
    // the Basic credentials pair it with another key's public half.
    const refusal = await authenticateApiKey(`Bearer ${key.secretKey}`).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(RevokedApiKeyError);
    expect((refusal as RevokedApiKeyError).revoked).toMatchObject({ projectId: fixture.projectA, apiKeyId: key.id });
    const mixedRevoked = await authenticateApiKey(`Basic ${mixed}`).catch((error: unknown) => error);
    expect(mixedRevoked).not.toBeInstanceOf(RevokedApiKeyError);
    await expect(authenticateApiKey("Bearer sk-sl-never-issued")).rejects.not.toBeInstanceOf(RevokedApiKeyError);
    await expect(authenticateApiKey("Bearer sk-sl-never-issued")).rejects.toThrow(/unknown or has been revoked/);
  });

  it("looks a key up once for all the requests that find its lookup expired", async () => {
    const key = await createApiKey(fixture.projectA);
    clearApiKeyCache();
    const findUnique = vi.spyOn(getPrisma().apiKey, "findUnique");
    try {
      const principals = await Promise.all(
        Array.from({ length: 20 }, () => authenticateApiKey(`Bearer ${key.secretKey}`)),
      );
      expect(new Set(principals.map((principal) => principal.apiKeyId))).toEqual(new Set([key.id]));
      expect(findUnique).toHaveBeenCalledTimes(1);
    } finally {
      findUnique.mockRestore();
    }
  });

  it("looks a cached key up again in the background before its lookup expires", async () => {
    const key = await createApiKey(fixture.projectA);
    clearApiKeyCache();
    const start = Date.now();
    // Only the clock the cache reads is set by hand; Postgres's timers stay real.
    vi.useFakeTimers({ toFake: ["Date"], now: start });
    const findUnique = vi.spyOn(getPrisma().apiKey, "findUnique");
    try {
      expect((await authenticateApiKey(`Bearer ${key.secretKey}`)).apiKeyId).toBe(key.id);
      // Revoked by another process: this one's cache still holds the key.
      await getPrisma().apiKey.update({ where: { id: key.id }, data: { revokedAt: new Date(start) } });
      vi.setSystemTime(start + 1_000);
      expect((await authenticateApiKey(`Bearer ${key.secretKey}`)).apiKeyId).toBe(key.id);
      expect(findUnique).toHaveBeenCalledTimes(1);

      // Past half its life the entry still answers, without waiting, and a lookup starts.
      vi.setSystemTime(start + 3_000);
      expect((await authenticateApiKey(`Bearer ${key.secretKey}`)).apiKeyId).toBe(key.id);
      expect(findUnique).toHaveBeenCalledTimes(2);
      // Once that lookup lands, the revocation shows, before the first lookup's 5 s are up.
      await vi.waitFor(() =>
        expect(authenticateApiKey(`Bearer ${key.secretKey}`)).rejects.toThrow(/unknown or has been revoked/),
      );
      expect(findUnique).toHaveBeenCalledTimes(2);
    } finally {
      findUnique.mockRestore();
      vi.useRealTimers();
    }
  });

  it("keeps a key looked up within the hour working while Postgres fails, and answers 503 for other keys", async () => {
    const [known, unknown] = [await createApiKey(fixture.projectA), await createApiKey(fixture.projectA)];
    clearApiKeyCache();
    const start = Date.now();
    vi.useFakeTimers({ toFake: ["Date"], now: start });
    const findUnique = vi.spyOn(getPrisma().apiKey, "findUnique");
    try {
      expect((await authenticateApiKey(`Bearer ${known.secretKey}`)).apiKeyId).toBe(known.id);
      // As the driver fails while the database restarts.
      findUnique.mockRejectedValue(new Error("Can't reach database server at 127.0.0.1:25432"));
      vi.setSystemTime(start + 6_000);
      expect((await authenticateApiKey(`Bearer ${known.secretKey}`)).apiKeyId).toBe(known.id);
      const refusal = await authenticateApiKey(`Bearer ${unknown.secretKey}`).catch((error: unknown) => error);
      expect(refusal).toMatchObject({
        code: "UNAVAILABLE",
        status: 503,
        message: "API keys cannot be checked right now (the database is not answering): retry after the delay",
      });
      // Still after 59 minutes, not after the hour.
      vi.setSystemTime(start + 59 * 60_000);
      expect((await authenticateApiKey(`Bearer ${known.secretKey}`)).apiKeyId).toBe(known.id);
      vi.setSystemTime(start + 61 * 60_000);
      await expect(authenticateApiKey(`Bearer ${known.secretKey}`)).rejects.toMatchObject({ code: "UNAVAILABLE" });

      // A database that does not answer at all: a request waits 2 s, not a connect timeout.
      clearApiKeyCache();
      findUnique.mockRestore();
      expect((await authenticateApiKey(`Bearer ${known.secretKey}`)).apiKeyId).toBe(known.id);
      const hanging = vi.spyOn(getPrisma().apiKey, "findUnique").mockReturnValue(new Promise(() => undefined) as never);
      vi.setSystemTime(start + 62 * 60_000);
      const waitedFrom = performance.now();
      expect((await authenticateApiKey(`Bearer ${known.secretKey}`)).apiKeyId).toBe(known.id);
      expect(performance.now() - waitedFrom).toBeGreaterThanOrEqual(1_900);
      // Right after, expired entries answer without waiting again.
      const again = performance.now();
      expect((await authenticateApiKey(`Bearer ${known.secretKey}`)).apiKeyId).toBe(known.id);
      expect(performance.now() - again).toBeLessThan(500);
      hanging.mockRestore();

      // Once Postgres answers, lookups are fresh again.
      clearApiKeyCache();
      expect((await authenticateApiKey(`Bearer ${unknown.secretKey}`)).apiKeyId).toBe(unknown.id);
    } finally {
      findUnique.mockRestore();
      vi.useRealTimers();
    }
  });

  it("refuses a revoked key at once even when its lookup is cached, and drops it from the list", async () => {
    const key = await createApiKey(fixture.projectB, "warm");
    // Warm the cache: the next lookups would be served without Postgres for a few seconds.
    expect((await authenticateApiKey(`Bearer ${key.secretKey}`)).apiKeyId).toBe(key.id);
    expect((await listApiKeys(fixture.projectB)).map((k) => k.id)).toContain(key.id);

    await expect(
      revokeApiKey({ projectId: fixture.projectA, apiKeyId: key.id, actorId: fixture.userA }),
    ).rejects.toThrow(/no active API key with this id in this project/);
    await revokeApiKey({ projectId: fixture.projectB, apiKeyId: key.id, actorId: fixture.userB });
    await expect(authenticateApiKey(`Bearer ${key.secretKey}`)).rejects.toThrow(/unknown or has been revoked/);
    expect((await listApiKeys(fixture.projectB)).map((k) => k.id)).not.toContain(key.id);
    const audit = await getPrisma().auditLog.findFirst({ where: { orgId: fixture.orgB, target: `api_key:${key.id}` } });
    expect(audit).toMatchObject({ action: "api_key.revoked", actorId: fixture.userB });
  });
});
