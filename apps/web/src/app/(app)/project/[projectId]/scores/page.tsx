import type { Metadata } from "next";
import { PageSection } from "../../../../../components/page-section";
import { findProjectOrNotFound } from "../../../../../features/projects/server";
import { EvalSettingsPanel, ScoreConfigsPanel } from "../../../../../features/scores";

export const metadata: Metadata = { title: "Scores" };

export default async function ScoresPage({ params }: { params: Promise<{ projectId: string }> }) {
  const { projectId } = await params;
  const project = await findProjectOrNotFound(projectId);
  const canWrite = project.role !== "VIEWER";
  return (
    <div className="flex flex-col gap-10">
      <div className="flex flex-col gap-1">
        <h1 className="text-2xl font-semibold tracking-tight">Scores</h1>
        <p className="text-sm text-neutral-600">
          Score configs validate incoming feedback, annotations and evaluator results by name, and give reviewers their
          options and shortcut keys.
        </p>
      </div>
      <PageSection id="score-configs" title="Score configs">
        <ScoreConfigsPanel projectId={project.id} canWrite={canWrite} />
      </PageSection>
      <PageSection id="eval-settings" title="Evaluation settings">
        <EvalSettingsPanel projectId={project.id} canWrite={canWrite} />
      </PageSection>
    </div>
  );
}
