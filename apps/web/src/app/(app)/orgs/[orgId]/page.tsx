import type { Metadata } from "next";
import { isOrgAdmin, OrgProjects } from "../../../../features/orgs";
import { findOrgOrNotFound } from "../../../../features/orgs/server";

type TOrgPageProps = { params: Promise<{ orgId: string }> };

export async function generateMetadata({ params }: TOrgPageProps): Promise<Metadata> {
  return { title: (await findOrgOrNotFound((await params).orgId)).name };
}

export default async function OrgProjectsPage({ params }: TOrgPageProps) {
  const org = await findOrgOrNotFound((await params).orgId);
  return <OrgProjects orgId={org.id} isAdmin={isOrgAdmin(org.role)} />;
}
