import { PageSection } from "../../../components/page-section";
import { RecentTraces } from "../../traces";
import type { TProjectDto } from "../lib/project-dto";

export function ProjectOverview({ project, otlpEndpoint }: { project: TProjectDto; otlpEndpoint: string }) {
  return (
    <div className="flex flex-col gap-8">
      <div className="flex flex-col gap-1">
        <span className="text-sm text-neutral-500" data-testid="project-org">
          {project.orgName}
        </span>
        <div className="flex items-center gap-3">
          <h1 className="text-2xl font-semibold tracking-tight" data-testid="project-name">
            {project.name}
          </h1>
          <span className="rounded-full bg-neutral-200 px-2 py-0.5 text-xs font-medium text-neutral-700">
            {project.role.toLowerCase()}
          </span>
        </div>
      </div>
      <PageSection id="traces" title="Traces">
        <RecentTraces projectId={project.id} otlpEndpoint={otlpEndpoint} />
      </PageSection>
    </div>
  );
}
