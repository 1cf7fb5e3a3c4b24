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

function toSummary(project: { id: string; name: string; orgId: string; org: { name: string } }, role: Role) {
  return { id: project.id, name: project.name, orgId: project.orgId, orgName: project.org.name, role };
}
