import { AppError } from "@spanlens/core";
import { AuditAction, recordAuditEvent } from "./audit.js";
import { getPrisma } from "./client.js";
import type { Role } from "./generated/prisma/enums.js";

export interface TOrgSummary {
  id: string;
  name: string;
  /** The caller's role in this organization. */
  role: Role;
  projectCount: number;
}

export interface TOrgMember {
  userId: string;
  email: string;
  name: string | null;
  role: Role;
  joinedAt: Date;
}

/** Roles that may manage members, invites, projects and see the audit log. */
export const ADMIN_ROLES: readonly Role[] = ["OWNER", "ADMIN"];

export function isAdminRole(role: Role): boolean {
  return ADMIN_ROLES.includes(role);
}

export async function listOrganizationsForUser(userId: string): Promise<TOrgSummary[]> {
  const memberships = await getPrisma().membership.findMany({
    where: { userId },
    include: { org: { include: { _count: { select: { projects: true } } } } },
    orderBy: { org: { name: "asc" } },
  });
  return memberships.map(({ org, role }) => ({
    id: org.id,
    name: org.name,
    role,
    projectCount: org._count.projects,
  }));
}

/** The organization when the user is a member, else null (callers answer 404 so ids do not leak). */
export async function getOrganizationForUser(userId: string, orgId: string): Promise<TOrgSummary | null> {
  const membership = await getPrisma().membership.findUnique({
    where: { orgId_userId: { orgId, userId } },
    include: { org: { include: { _count: { select: { projects: true } } } } },
  });
  if (!membership) return null;
  return {
    id: membership.org.id,
    name: membership.org.name,
    role: membership.role,
    projectCount: membership.org._count.projects,
  };
}

/** Creates an organization with the creator as its owner. */
export async function createOrganization(userId: string, name: string): Promise<TOrgSummary> {
  const org = await getPrisma().$transaction(async (tx) => {
    const created = await tx.organization.create({
      data: { name, memberships: { create: { userId, role: "OWNER" } } },
    });
    await recordAuditEvent(
      { orgId: created.id, actorId: userId, action: AuditAction.OrgCreated, target: `org:${created.id}` },
      tx,
    );
    return created;
  });
  return { id: org.id, name: org.name, role: "OWNER", projectCount: 0 };
}

export async function listMembers(orgId: string): Promise<TOrgMember[]> {
  const memberships = await getPrisma().membership.findMany({
    where: { orgId },
    include: { user: true },
    orderBy: { createdAt: "asc" },
  });
  return memberships.map(({ user, role, createdAt }) => ({
    userId: user.id,
    email: user.email,
    name: user.name,
    role,
    joinedAt: createdAt,
  }));
}

interface TMemberChange {
  orgId: string;
  actorId: string;
  actorRole: Role;
  userId: string;
}

/**
 * Changes a member's role. Owners are special: only an owner may make or unmake one, and
 * the last owner cannot be demoted, so an organization is never left without one.
 */
export async function updateMemberRole(change: TMemberChange & { role: Role }): Promise<TOrgMember> {
  const prisma = getPrisma();
  return prisma.$transaction(async (tx) => {
    const membership = await tx.membership.findUnique({
      where: { orgId_userId: { orgId: change.orgId, userId: change.userId } },
      include: { user: true },
    });
    if (!membership) throw new AppError("NOT_FOUND", "userId: no such member in this organization");
    if ((membership.role === "OWNER" || change.role === "OWNER") && change.actorRole !== "OWNER") {
      throw new AppError("FORBIDDEN", "Only an owner can grant or remove the owner role");
    }
    if (membership.role === "OWNER" && change.role !== "OWNER") await assertAnotherOwner(tx, change.orgId);
    const updated = await tx.membership.update({ where: { id: membership.id }, data: { role: change.role } });
    if (membership.role !== change.role) {
      await recordAuditEvent(
        {
          orgId: change.orgId,
          actorId: change.actorId,
          action: AuditAction.MemberRoleChanged,
          target: `user:${change.userId}`,
          metadata: { email: membership.user.email, from: membership.role, to: change.role },
        },
        tx,
      );
    }
    return {
      userId: membership.user.id,
      email: membership.user.email,
      name: membership.user.name,
      role: updated.role,
      joinedAt: updated.createdAt,
    };
  });
}

/** Removes a member (or lets a member leave); the last owner cannot go. */
export async function removeMember(change: TMemberChange): Promise<void> {
  await getPrisma().$transaction(async (tx) => {
    const membership = await tx.membership.findUnique({
      where: { orgId_userId: { orgId: change.orgId, userId: change.userId } },
      include: { user: true },
    });
    if (!membership) throw new AppError("NOT_FOUND", "userId: no such member in this organization");
    if (membership.role === "OWNER" && change.actorRole !== "OWNER") {
      throw new AppError("FORBIDDEN", "Only an owner can remove an owner");
    }
    if (membership.role === "OWNER") await assertAnotherOwner(tx, change.orgId);
    await tx.membership.delete({ where: { id: membership.id } });
    await recordAuditEvent(
      {
        orgId: change.orgId,
        actorId: change.actorId,
        action: AuditAction.MemberRemoved,
        target: `user:${change.userId}`,
        metadata: { email: membership.user.email, role: membership.role },
      },
      tx,
    );
  });
}

async function assertAnotherOwner(
  tx: Parameters<Parameters<ReturnType<typeof getPrisma>["$transaction"]>[0]>[0],
  orgId: string,
): Promise<void> {
  const owners = await tx.membership.count({ where: { orgId, role: "OWNER" } });
  if (owners <= 1) {
    throw new AppError("CONFLICT", "An organization needs at least one owner: make someone else owner first");
  }
}
