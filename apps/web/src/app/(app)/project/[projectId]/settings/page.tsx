import type { Metadata } from "next";
import Link from "next/link";
import { PageSection } from "../../../../../components/page-section";
import { ApiKeysPanel } from "../../../../../features/api-keys";
import { ProjectGeneralSettings } from "../../../../../features/projects";
import {
  findProjectOrNotFound,
  getAppBaseUrl,
  getOtlpGrpcEndpoint,
  getOtlpTracesEndpoint,
} from "../../../../../features/projects/server";
import { IngestProblemsPanel, IngestUsagePanel } from "../../../../../features/usage";

export const metadata: Metadata = { title: "Project settings" };

export default async function ProjectSettingsPage({ params }: { params: Promise<{ projectId: string }> }) {
  const { projectId } = await params;
  const [project, otlpTracesEndpoint, otlpGrpcEndpoint, appBaseUrl] = await Promise.all([
    findProjectOrNotFound(projectId),
    getOtlpTracesEndpoint(),
    getOtlpGrpcEndpoint(),
    getAppBaseUrl(),
  ]);
  return (
    <div className="flex flex-col gap-10">
      <div className="flex flex-col gap-1">
        <span className="text-sm text-neutral-500">{project.orgName}</span>
        <h1 className="text-2xl font-semibold tracking-tight" data-testid="settings-project-name">
          {project.name} settings
        </h1>
      </div>
      <PageSection id="api-keys" title="API keys">
        <p className="text-sm text-neutral-600">
          Send traces with <code className="font-mono">Authorization: Bearer sk-sl-…</code> or HTTP Basic{" "}
          <code className="font-mono">pk-sl-…:sk-sl-…</code> to <code className="font-mono">{otlpTracesEndpoint}</code>.
        </p>
        <ApiKeysPanel
          projectId={project.id}
          canWrite={project.role !== "VIEWER"}
          otlpTracesEndpoint={otlpTracesEndpoint}
          otlpGrpcEndpoint={otlpGrpcEndpoint}
          appBaseUrl={appBaseUrl}
        />
      </PageSection>
      <PageSection id="usage" title="Usage">
        <IngestUsagePanel projectId={project.id} otlpTracesEndpoint={otlpTracesEndpoint} />
        <IngestProblemsPanel projectId={project.id} />
      </PageSection>
      <PageSection id="members" title="Members">
        <p className="text-sm text-neutral-600">
          Everyone in {project.orgName} can open this project, with their organization role.{" "}
          <Link
            href={`/orgs/${project.orgId}/members`}
            className="font-medium text-neutral-900 underline"
            data-testid="manage-members"
          >
            Manage members and invites
          </Link>
        </p>
      </PageSection>
      <PageSection id="general" title="General">
        <ProjectGeneralSettings project={project} />
      </PageSection>
    </div>
  );
}
