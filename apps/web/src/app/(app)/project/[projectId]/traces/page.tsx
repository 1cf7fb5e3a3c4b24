import type { Metadata } from "next";
import { Suspense } from "react";
import { findProjectOrNotFound } from "../../../../../features/projects/server";
import { TraceExplorer } from "../../../../../features/traces";

export const metadata: Metadata = { title: "Traces" };

export default async function TracesPage({ params }: { params: Promise<{ projectId: string }> }) {
  const { projectId } = await params;
  const project = await findProjectOrNotFound(projectId);
  return (
    // The explorer reads its filters from the URL on the client.
    <Suspense>
      <TraceExplorer projectId={projectId} canSave={project.role !== "VIEWER"} />
    </Suspense>
  );
}
