import { getPrisma } from "./client.js";
import type { Prisma } from "./generated/prisma/client.js";

/** Security-relevant actions recorded in an organization's audit log. */
export const AuditAction = {
  SignedIn: "user.signed_in",
  PasswordChanged: "user.password_changed",
  OrgCreated: "org.created",
  MemberInvited: "member.invited",
  InviteRevoked: "invite.revoked",
  MemberJoined: "member.joined",
  MemberRoleChanged: "member.role_changed",
  MemberRemoved: "member.removed",
  ProjectCreated: "project.created",
  ProjectRenamed: "project.renamed",
  ProjectDeleted: "project.deleted",
  ApiKeyCreated: "api_key.created",
  ApiKeyRevoked: "api_key.revoked",
} as const;

export type TAuditAction = (typeof AuditAction)[keyof typeof AuditAction];

export interface TAuditEventInput {
  orgId: string;
  actorId: string | null;
  action: TAuditAction;
  /** What the action was applied to, e.g. `project:<id>` or `api_key:<id>`. */
  target?: string;
  metadata?: Record<string, string | number | boolean | null>;
}

type TDb = Pick<Prisma.TransactionClient, "auditLog">;

export async function recordAuditEvent(event: TAuditEventInput, db: TDb = getPrisma()): Promise<void> {
  await db.auditLog.create({
    data: {
      orgId: event.orgId,
      actorId: event.actorId,
      action: event.action,
      target: event.target ?? null,
      ...(event.metadata ? { metadata: event.metadata } : {}),
    },
  });
}

export interface TAuditEvent {
  id: string;
  action: string;
  target: string | null;
  metadata: Record<string, unknown> | null;
  createdAt: Date;
  actor: { id: string; email: string } | null;
}

/** Newest first, keyset-paginated by id so concurrent writes never shift a page. */
export async function listAuditEvents(
  orgId: string,
  options: { limit: number; cursor?: string | undefined },
): Promise<{ events: TAuditEvent[]; nextCursor: string | null }> {
  const prisma = getPrisma();
  const rows = await prisma.auditLog.findMany({
    where: { orgId },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: options.limit + 1,
    ...(options.cursor ? { cursor: { id: options.cursor }, skip: 1 } : {}),
  });
  const page = rows.slice(0, options.limit);
  const actorIds = [...new Set(page.flatMap((row) => (row.actorId ? [row.actorId] : [])))];
  const actors = await prisma.user.findMany({ where: { id: { in: actorIds } }, select: { id: true, email: true } });
  const actorById = new Map(actors.map((actor) => [actor.id, actor]));
  return {
    events: page.map((row) => ({
      id: row.id,
      action: row.action,
      target: row.target,
      metadata: (row.metadata as Record<string, unknown> | null) ?? null,
      createdAt: row.createdAt,
      actor: row.actorId ? (actorById.get(row.actorId) ?? null) : null,
    })),
    nextCursor: rows.length > options.limit ? (page.at(-1)?.id ?? null) : null,
  };
}
