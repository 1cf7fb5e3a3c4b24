import type { Metadata } from "next";
import { AnnotationQueueWalker } from "../../../../../../features/annotations";
import { findProjectOrNotFound } from "../../../../../../features/projects/server";

export const metadata: Metadata = { title: "Annotate" };

export default async function AnnotationQueuePage({
  params,
}: {
  params: Promise<{ projectId: string; queueId: string }>;
}) {
  const { projectId, queueId } = await params;
  const project = await findProjectOrNotFound(projectId);
  return <AnnotationQueueWalker projectId={project.id} queueId={queueId} />;
}
