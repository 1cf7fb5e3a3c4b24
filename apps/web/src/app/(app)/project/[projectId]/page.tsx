import { TRPCError } from "@trpc/server";
import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { ProjectOverview, type TProjectDto } from "../../../../features/projects";
import { getOtlpTracesEndpoint } from "../../../../features/projects/server";
import { getServerCaller } from "../../../../server/trpc/server-caller";

type TProjectPageProps = { params: Promise<{ projectId: string }> };

async function findProject(projectId: string): Promise<TProjectDto> {
  const caller = await getServerCaller();
  try {
    return await caller.project.byId({ projectId });
  } catch (error) {
    if (error instanceof TRPCError && (error.code === "NOT_FOUND" || error.code === "BAD_REQUEST")) notFound();
    throw error;
  }
}

export async function generateMetadata({ params }: TProjectPageProps): Promise<Metadata> {
  const project = await findProject((await params).projectId);
  return { title: project.name };
}

export default async function ProjectPage({ params }: TProjectPageProps) {
  const { projectId } = await params;
  const [project, otlpEndpoint] = await Promise.all([findProject(projectId), getOtlpTracesEndpoint()]);
  return <ProjectOverview project={project} otlpEndpoint={otlpEndpoint} />;
}
