import type { Metadata } from "next";
import { PageSection } from "../../../../../components/page-section";
import { EvaluatorsPanel, LlmConnectionsPanel } from "../../../../../features/evaluators";
import { findProjectOrNotFound } from "../../../../../features/projects/server";

export const metadata: Metadata = { title: "Evaluators" };

export default async function EvaluatorsPage({ params }: { params: Promise<{ projectId: string }> }) {
  const { projectId } = await params;
  const project = await findProjectOrNotFound(projectId);
  const canWrite = project.role !== "VIEWER";
  return (
    <div className="flex flex-col gap-10">
      <div className="flex flex-col gap-1">
        <h1 className="text-2xl font-semibold tracking-tight">Evaluators</h1>
        <p className="text-sm text-neutral-600">
          Online evaluators score incoming traces that match their filter, on a deterministic sample, once a trace has
          been quiet for a short while.
        </p>
      </div>
      <PageSection id="evaluators" title="Evaluators">
        <EvaluatorsPanel projectId={project.id} canWrite={canWrite} />
      </PageSection>
      <PageSection id="llm-connections" title="LLM connections">
        <LlmConnectionsPanel projectId={project.id} canWrite={canWrite} />
      </PageSection>
    </div>
  );
}
