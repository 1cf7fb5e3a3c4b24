import { randomUUID } from "node:crypto";
import { closePrisma, getPrisma, isSessionValid } from "@spanlens/db";
import { closeRedis } from "@spanlens/queue";
import { TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import { afterAll, describe, expect, it } from "vitest";
import { authorizeCredentials } from "../../../server/auth";
import { createCaller } from "../../../server/trpc/root-router";

// Each test signs up its own users (unique emails) and removes them at the end.
const suffix = randomUUID();
const emailFor = (label: string) => `${label}-${suffix}@example.test`;
const PASSWORD = "correct horse battery";

function anonymousCaller(clientIp = `ip-${randomUUID()}`) {
  return createCaller({ user: null, clientIp });
}

function callerFor(user: { id: string; email: string }) {
  return createCaller({ user: { ...user, name: null }, clientIp: `ip-${randomUUID()}` });
}

async function refusal(promise: Promise<unknown>): Promise<{ status: number; message: string; code: string }> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(TRPCError);
  const trpcError = error as TRPCError;
  return { status: getHTTPStatusCodeFromError(trpcError), message: trpcError.message, code: trpcError.code };
}

async function signUp(label: string) {
  const email = emailFor(label);
  const user = await anonymousCaller().account.signUp({ email, password: PASSWORD });
  return { id: user.id, email };
}

afterAll(async () => {
  const prisma = getPrisma();
  await prisma.organization.deleteMany({ where: { name: { endsWith: suffix } } });
  await prisma.user.deleteMany({ where: { email: { endsWith: `${suffix}@example.test` } } });
  await closeRedis();
  await closePrisma();
});

describe("sign-up", () => {
  it("creates an account that can sign in, with a normalized email", async () => {
    const user = await anonymousCaller().account.signUp({ email: ` New-${suffix}@Example.test `, password: PASSWORD });
    expect(user.email).toBe(`new-${suffix}@example.test`);
    expect(await authorizeCredentials({ email: user.email, password: PASSWORD }, `ip-${randomUUID()}`)).toMatchObject({
      id: user.id,
    });
  });

  it.each([
    ["an empty email", { email: "", password: PASSWORD }, /^email: is required/],
    ["a malformed email", { email: "not-an-email", password: PASSWORD }, /^email: is not a valid email address/],
    ["a short password", { email: emailFor("short"), password: "short" }, /^password: must be at least 10 characters/],
  ])("answers 400 naming the field for %s", async (_label, input, message) => {
    const answer = await refusal(anonymousCaller().account.signUp(input));
    expect(answer.status).toBe(400);
    expect(answer.message).toMatch(message);
  });

  it("answers 409 for an email that already has an account", async () => {
    await signUp("taken");
    const answer = await refusal(
      anonymousCaller().account.signUp({ email: emailFor("taken").toUpperCase(), password: PASSWORD }),
    );
    expect(answer.status).toBe(409);
    expect(answer.message).toBe("email: an account with this email already exists; sign in instead");
  });

  it("rate-limits sign-ups from one address", async () => {
    const caller = anonymousCaller(`ip-${randomUUID()}`);
    for (let attempt = 0; attempt < 20; attempt += 1) {
      await caller.account.signUp({ email: emailFor(`burst-${attempt}`), password: PASSWORD });
    }
    const answer = await refusal(caller.account.signUp({ email: emailFor("burst-over"), password: PASSWORD }));
    expect(answer.status).toBe(429);
    expect(answer.message).toMatch(/^Too many attempts; try again in \d+ minute/);
  });
});

describe("sign-in", () => {
  it("answers an unknown email and a wrong password alike", async () => {
    const user = await signUp("signin");
    const ip = `ip-${randomUUID()}`;
    expect(await authorizeCredentials({ email: user.email, password: "wrong password!" }, ip)).toBeNull();
    expect(await authorizeCredentials({ email: emailFor("nobody"), password: PASSWORD }, ip)).toBeNull();
    expect(await authorizeCredentials({ email: "", password: PASSWORD }, ip)).toBeNull();
  });

  it("locks an email out of one address after ten failed attempts, even with the right password", async () => {
    const user = await signUp("lockout");
    const ip = `ip-${randomUUID()}`;
    for (let attempt = 0; attempt < 10; attempt += 1) {
      expect(await authorizeCredentials({ email: user.email, password: "wrong password!" }, ip)).toBeNull();
    }
    await expect(authorizeCredentials({ email: user.email, password: PASSWORD }, ip)).rejects.toThrow(
      /Too many attempts/,
    );
    // Another address is not affected.
    expect(await authorizeCredentials({ email: user.email, password: PASSWORD }, `ip-${randomUUID()}`)).not.toBeNull();
  });

  it("stops a guessing run on one email that forges a new address for every attempt", async () => {
    const user = await signUp("spoofed");
    for (let attempt = 0; attempt < 50; attempt += 1) {
      expect(
        await authorizeCredentials({ email: user.email, password: "wrong password!" }, `ip-${randomUUID()}`),
      ).toBeNull();
    }
    await expect(
      authorizeCredentials({ email: user.email, password: "wrong password!" }, `ip-${randomUUID()}`),
    ).rejects.toThrow(/Too many attempts/);
  });
});

describe("password change", () => {
  it("checks the current password, then invalidates sessions issued before the change", async () => {
    const user = await signUp("change");
    const caller = callerFor(user);
    const signedInAt = Math.floor(Date.now() / 1000) - 5;
    expect(await isSessionValid(user.id, signedInAt)).toBe(true);

    const wrong = await refusal(
      caller.account.changePassword({ currentPassword: "wrong password!", newPassword: "a brand new password" }),
    );
    expect(wrong).toMatchObject({ status: 400, message: "currentPassword: is incorrect" });
    const short = await refusal(caller.account.changePassword({ currentPassword: PASSWORD, newPassword: "short" }));
    expect(short).toMatchObject({ status: 400, message: "newPassword: must be at least 10 characters" });

    await caller.account.changePassword({ currentPassword: PASSWORD, newPassword: "a brand new password" });
    expect(await isSessionValid(user.id, signedInAt)).toBe(false);
    expect(await isSessionValid(user.id, Math.floor(Date.now() / 1000))).toBe(true);
    expect(await authorizeCredentials({ email: user.email, password: PASSWORD }, `ip-${randomUUID()}`)).toBeNull();
    expect(
      await authorizeCredentials({ email: user.email, password: "a brand new password" }, `ip-${randomUUID()}`),
    ).not.toBeNull();
  });
});

describe("organizations, invites and roles", () => {
  it("invites by email, joins with the invited role, and records it all in the audit log", async () => {
    const owner = await signUp("owner");
    const invitee = await signUp("invitee");
    const stranger = await signUp("stranger");
    const ownerCaller = callerFor(owner);
    const org = await ownerCaller.org.create({ name: `Acme ${suffix}` });
    const project = await ownerCaller.project.create({ orgId: org.id, name: "search bot" });
    expect(project).toMatchObject({ orgId: org.id, role: "OWNER" });

    const { invite, inviteUrl, isEmailed } = await ownerCaller.org.invite({
      orgId: org.id,
      email: invitee.email.toUpperCase(),
      role: "VIEWER",
    });
    expect(isEmailed).toBe(false);
    expect(invite.email).toBe(invitee.email);
    const token = inviteUrl.split("/invite/")[1] ?? "";
    expect(await ownerCaller.org.invites({ orgId: org.id })).toHaveLength(1);

    const notForStranger = await refusal(callerFor(stranger).org.acceptInvite({ token }));
    expect(notForStranger.status).toBe(403);
    expect(await callerFor(invitee).org.inviteDetails({ token })).toMatchObject({ orgId: org.id, role: "VIEWER" });
    await callerFor(invitee).org.acceptInvite({ token });
    const used = await refusal(callerFor(invitee).org.acceptInvite({ token }));
    expect(used.status).toBe(404);

    const inviteeProjects = await callerFor(invitee).project.list();
    expect(inviteeProjects.map((p) => [p.id, p.role])).toEqual([[project.id, "VIEWER"]]);
    const viewerWrite = await refusal(callerFor(invitee).apiKey.create({ projectId: project.id }));
    expect(viewerWrite.status).toBe(403);
    const viewerAudit = await refusal(callerFor(invitee).audit.list({ orgId: org.id }));
    expect(viewerAudit.status).toBe(403);

    await ownerCaller.org.updateMemberRole({ orgId: org.id, userId: invitee.id, role: "ADMIN" });
    const adminCaller = callerFor(invitee);
    const promoteSelf = await refusal(
      adminCaller.org.updateMemberRole({ orgId: org.id, userId: invitee.id, role: "OWNER" }),
    );
    expect(promoteSelf.status).toBe(403);
    const lastOwner = await refusal(
      ownerCaller.org.updateMemberRole({ orgId: org.id, userId: owner.id, role: "ADMIN" }),
    );
    expect(lastOwner).toMatchObject({ status: 409 });

    const key = await adminCaller.apiKey.create({ projectId: project.id, name: "ci" });
    expect(key.secretKey).toMatch(/^sk-sl-/);
    const listed = await ownerCaller.apiKey.list({ projectId: project.id });
    expect(listed.map((k) => k.id)).toEqual([key.id]);
    expect(JSON.stringify(listed)).not.toContain(key.secretKey);
    expect(key.secretKey.startsWith(listed[0]?.secretPrefix ?? "-")).toBe(true);
    await ownerCaller.apiKey.revoke({ projectId: project.id, apiKeyId: key.id });
    expect(await ownerCaller.apiKey.list({ projectId: project.id })).toEqual([]);
    await ownerCaller.project.delete({ projectId: project.id });

    const { events } = await adminCaller.audit.list({ orgId: org.id });
    expect(events.map((event) => event.action).reverse()).toEqual([
      "org.created",
      "project.created",
      "member.invited",
      "member.joined",
      "member.role_changed",
      "api_key.created",
      "api_key.revoked",
      "project.deleted",
    ]);
    expect(events.find((event) => event.action === "member.role_changed")).toMatchObject({
      actor: { id: owner.id, email: owner.email },
      metadata: { from: "VIEWER", to: "ADMIN" },
    });
  });

  it("answers 400 naming the field for an empty organization or project name", async () => {
    const owner = await signUp("names");
    const caller = callerFor(owner);
    expect(await refusal(caller.org.create({ name: " " }))).toMatchObject({
      status: 400,
      message: "name: is required",
    });
    const org = await caller.org.create({ name: `Names ${suffix}` });
    expect(await refusal(caller.project.create({ orgId: org.id, name: "" }))).toMatchObject({
      status: 400,
      message: "name: is required",
    });
  });
});
