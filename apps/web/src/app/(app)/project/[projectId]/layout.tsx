import type { ReactNode } from "react";
import { ProjectTabs } from "../../../../features/projects";
import { findProjectOrNotFound } from "../../../../features/projects/server";

/** Project tabs above every project page, shown only for a project the user may see. */
export default async function ProjectLayout({
  children,
  params,
}: {
  children: ReactNode;
  params: Promise<{ projectId: string }>;
}) {
  const { projectId } = await params;
  await findProjectOrNotFound(projectId);
  return (
    <>
      <ProjectTabs projectId={projectId} />
      {children}
    </>
  );
}
