import type { Metadata } from "next";
import { AnnotationQueuesPanel } from "../../../../../features/annotations";
import { findProjectOrNotFound } from "../../../../../features/projects/server";

export const metadata: Metadata = { title: "Annotation" };

export default async function AnnotationPage({ params }: { params: Promise<{ projectId: string }> }) {
  const { projectId } = await params;
  const project = await findProjectOrNotFound(projectId);
  return (
    <div className="flex flex-col gap-6">
      <div className="flex flex-col gap-1">
        <h1 className="text-2xl font-semibold tracking-tight">Annotation queues</h1>
        <p className="text-sm text-neutral-600">
          A queue walks reviewers through a filtered set of traces, scoring each with the project's score configs.
        </p>
      </div>
      <AnnotationQueuesPanel projectId={project.id} canWrite={project.role !== "VIEWER"} />
    </div>
  );
}
