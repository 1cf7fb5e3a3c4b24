import type { Metadata } from "next";
import { AuditLog } from "../../../../../features/audit";
import { isOrgAdmin } from "../../../../../features/orgs";
import { findOrgOrNotFound } from "../../../../../features/orgs/server";

export const metadata: Metadata = { title: "Audit log" };

export default async function OrgAuditPage({ params }: { params: Promise<{ orgId: string }> }) {
  const org = await findOrgOrNotFound((await params).orgId);
  if (!isOrgAdmin(org.role)) {
    return <p className="text-sm text-neutral-600">Only organization owners and admins can see the audit log.</p>;
  }
  return <AuditLog orgId={org.id} />;
}
