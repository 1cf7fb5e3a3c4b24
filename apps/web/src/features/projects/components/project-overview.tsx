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
      <section className="flex flex-col gap-3" aria-labelledby="traces-heading">
        <h2 id="traces-heading" className="text-sm font-semibold uppercase tracking-wide text-neutral-500">
          Traces
        </h2>
        <RecentTraces projectId={project.id} otlpEndpoint={otlpEndpoint} />
      </section>
    </div>
  );
}
