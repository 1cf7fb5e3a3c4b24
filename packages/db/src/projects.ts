import { clearApiKeyCache } from "./api-keys.js";
import { AuditAction, recordAuditEvent } from "./audit.js";
import { getPrisma } from "./client.js";
import type { Role } from "./generated/prisma/enums.js";

export interface TProjectSummary {
  id: string;
  name: string;
  orgId: string;
  orgName: string;
  role: Role;
}

/** Projects of every organization the user belongs to, with the user's role there. */
export async function listProjectsForUser(userId: string): Promise<TProjectSummary[]> {
  const projects = await getPrisma().project.findMany({
    where: { org: { memberships: { some: { userId } } } },
    include: { org: { include: { memberships: { where: { userId } } } } },
    orderBy: [{ org: { name: "asc" } }, { name: "asc" }],
  });
  return projects.flatMap((project) => {
    const membership = project.org.memberships[0];
    return membership ? [toSummary(project, membership.role)] : [];
  });
}

/** The project when the user may see it, else null (callers answer 404, never 403, to avoid leaking ids). */
export async function getProjectForUser(userId: string, projectId: string): Promise<TProjectSummary | null> {
  const project = await getPrisma().project.findFirst({
    where: { id: projectId, org: { memberships: { some: { userId } } } },
    include: { org: { include: { memberships: { where: { userId } } } } },
  });
  const membership = project?.org.memberships[0];
  return project && membership ? toSummary(project, membership.role) : null;
}

function toSummary(
  project: { id: string; name: string; orgId: string; org: { name: string } },
  role: Role,
): TProjectSummary {
  return { id: project.id, name: project.name, orgId: project.orgId, orgName: project.org.name, role };
}

/** Creates a project in an organization (access was checked by the caller's transport). */
export async function createProject(input: { orgId: string; actorId: string; name: string }): Promise<TProjectSummary> {
  return getPrisma().$transaction(async (tx) => {
    const project = await tx.project.create({ data: { orgId: input.orgId, name: input.name }, include: { org: true } });
    await recordAuditEvent(
      {
        orgId: input.orgId,
        actorId: input.actorId,
        action: AuditAction.ProjectCreated,
        target: `project:${project.id}`,
        metadata: { name: input.name },
      },
      tx,
    );
    const membership = await tx.membership.findUnique({
      where: { orgId_userId: { orgId: input.orgId, userId: input.actorId } },
    });
    return toSummary(project, membership?.role ?? "VIEWER");
  });
}

export async function renameProject(input: { projectId: string; actorId: string; name: string }): Promise<void> {
  const prisma = getPrisma();
  const project = await prisma.project.update({ where: { id: input.projectId }, data: { name: input.name } });
  await recordAuditEvent({
    orgId: project.orgId,
    actorId: input.actorId,
    action: AuditAction.ProjectRenamed,
    target: `project:${project.id}`,
    metadata: { name: input.name },
  });
}

/**
 * Deletes a project with its API keys (Postgres cascades). Telemetry in ClickHouse is
 * left to its TTL: every query is scoped by project id, so orphaned rows are unreachable.
 */
export async function deleteProject(input: { projectId: string; actorId: string }): Promise<void> {
  await getPrisma().$transaction(async (tx) => {
    const project = await tx.project.delete({ where: { id: input.projectId } });
    await recordAuditEvent(
      {
        orgId: project.orgId,
        actorId: input.actorId,
        action: AuditAction.ProjectDeleted,
        target: `project:${project.id}`,
        metadata: { name: project.name },
      },
      tx,
    );
  });
  clearApiKeyCache();
}

/** Projects of one organization, with the caller's role there. */
export async function listProjectsInOrg(orgId: string, role: Role): Promise<TProjectSummary[]> {
  const projects = await getPrisma().project.findMany({
    where: { orgId },
    include: { org: true },
    orderBy: { name: "asc" },
  });
  return projects.map((project) => toSummary(project, role));
}
