import type { Metadata } from "next";
import { OrgMembers } from "../../../../../features/orgs";
import { findOrgOrNotFound } from "../../../../../features/orgs/server";
import { getSessionUser } from "../../../../../server/auth";

export const metadata: Metadata = { title: "Members" };

export default async function OrgMembersPage({ params }: { params: Promise<{ orgId: string }> }) {
  const [org, user] = await Promise.all([findOrgOrNotFound((await params).orgId), getSessionUser()]);
  return <OrgMembers orgId={org.id} viewerRole={org.role} viewerId={user?.id ?? ""} />;
}
