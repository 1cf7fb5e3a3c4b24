import type { Metadata } from "next";
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
      <section className="flex flex-col gap-3" aria-labelledby="evaluators-heading">
        <h2 id="evaluators-heading" className="text-sm font-semibold uppercase tracking-wide text-neutral-500">
          Evaluators
        </h2>
        <EvaluatorsPanel projectId={project.id} canWrite={canWrite} />
      </section>
      <section className="flex flex-col gap-3" aria-labelledby="llm-connections-heading">
        <h2 id="llm-connections-heading" className="text-sm font-semibold uppercase tracking-wide text-neutral-500">
          LLM connections
        </h2>
        <LlmConnectionsPanel projectId={project.id} canWrite={canWrite} />
      </section>
    </div>
  );
}
