import { createHash, randomBytes } from "node:crypto";
import { AppError } from "@spanlens/core";
import { AuditAction, recordAuditEvent } from "./audit.js";
import { getPrisma } from "./client.js";
import type { Role } from "./generated/prisma/enums.js";
import { normalizeEmail } from "./users.js";

const INVITE_TTL_MS = 7 * 24 * 3600 * 1000;

export interface TInvite {
  id: string;
  email: string;
  role: Role;
  createdAt: Date;
  expiresAt: Date;
}

export interface TCreatedInvite extends TInvite {
  /** The one-time token for the invite link; only its hash is stored. */
  token: string;
}

export interface TInviteDetails {
  orgId: string;
  orgName: string;
  email: string;
  role: Role;
}

// A fast hash suffices for the same reason as API keys: the token is 32 random bytes.
function hashInviteToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

export async function createInvite(input: {
  orgId: string;
  actorId: string;
  actorRole: Role;
  email: string;
  role: Role;
}): Promise<TCreatedInvite> {
  if (input.role === "OWNER" && input.actorRole !== "OWNER") {
    throw new AppError("FORBIDDEN", "role: only an owner can invite another owner");
  }
  const email = normalizeEmail(input.email);
  const prisma = getPrisma();
  const existing = await prisma.membership.findFirst({ where: { orgId: input.orgId, user: { email } } });
  if (existing) throw new AppError("CONFLICT", "email: this person is already a member");
  const token = randomBytes(32).toString("base64url");
  const invite = await prisma.$transaction(async (tx) => {
    // One pending invite per address: a new one replaces the old link.
    await tx.invite.deleteMany({ where: { orgId: input.orgId, email, acceptedAt: null } });
    const created = await tx.invite.create({
      data: {
        orgId: input.orgId,
        email,
        role: input.role,
        tokenHash: hashInviteToken(token),
        invitedById: input.actorId,
        expiresAt: new Date(Date.now() + INVITE_TTL_MS),
      },
    });
    await recordAuditEvent(
      {
        orgId: input.orgId,
        actorId: input.actorId,
        action: AuditAction.MemberInvited,
        target: `invite:${created.id}`,
        metadata: { email, role: input.role },
      },
      tx,
    );
    return created;
  });
  return { ...toInvite(invite), token };
}

/** Pending (not accepted, not expired) invites of an organization. */
export async function listPendingInvites(orgId: string): Promise<TInvite[]> {
  const invites = await getPrisma().invite.findMany({
    where: { orgId, acceptedAt: null, expiresAt: { gt: new Date() } },
    orderBy: { createdAt: "desc" },
  });
  return invites.map(toInvite);
}

export async function revokeInvite(input: { orgId: string; actorId: string; inviteId: string }): Promise<void> {
  const { count } = await getPrisma().invite.deleteMany({
    where: { id: input.inviteId, orgId: input.orgId, acceptedAt: null },
  });
  if (count === 0) throw new AppError("NOT_FOUND", "inviteId: no pending invite with this id in this organization");
  await recordAuditEvent({
    orgId: input.orgId,
    actorId: input.actorId,
    action: AuditAction.InviteRevoked,
    target: `invite:${input.inviteId}`,
  });
}

async function findUsableInvite(token: string) {
  const invite = await getPrisma().invite.findUnique({
    where: { tokenHash: hashInviteToken(token) },
    include: { org: true },
  });
  if (!invite || invite.acceptedAt || invite.expiresAt <= new Date()) {
    throw new AppError("NOT_FOUND", "This invite link is invalid, expired or already used; ask for a new one");
  }
  return invite;
}

export async function getInviteDetails(token: string): Promise<TInviteDetails> {
  const invite = await findUsableInvite(token);
  return { orgId: invite.orgId, orgName: invite.org.name, email: invite.email, role: invite.role };
}

/**
 * Joins the invited organization. The signed-in account must own the invited address,
 * so a forwarded or leaked link does not let someone else in.
 */
export async function acceptInvite(token: string, user: { id: string; email: string }): Promise<{ orgId: string }> {
  const invite = await findUsableInvite(token);
  if (normalizeEmail(user.email) !== invite.email) {
    throw new AppError("FORBIDDEN", `This invite is for ${invite.email}; sign in with that address to accept it`);
  }
  await getPrisma().$transaction(async (tx) => {
    const claimed = await tx.invite.updateMany({
      where: { id: invite.id, acceptedAt: null },
      data: { acceptedAt: new Date() },
    });
    if (claimed.count === 0) throw new AppError("NOT_FOUND", "This invite link has already been used");
    await tx.membership.upsert({
      where: { orgId_userId: { orgId: invite.orgId, userId: user.id } },
      update: {},
      create: { orgId: invite.orgId, userId: user.id, role: invite.role },
    });
    await recordAuditEvent(
      {
        orgId: invite.orgId,
        actorId: user.id,
        action: AuditAction.MemberJoined,
        target: `user:${user.id}`,
        metadata: { email: invite.email, role: invite.role },
      },
      tx,
    );
  });
  return { orgId: invite.orgId };
}

function toInvite(invite: { id: string; email: string; role: Role; createdAt: Date; expiresAt: Date }): TInvite {
  return {
    id: invite.id,
    email: invite.email,
    role: invite.role,
    createdAt: invite.createdAt,
    expiresAt: invite.expiresAt,
  };
}
