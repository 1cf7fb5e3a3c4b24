import type { ReactNode } from "react";
import { isOrgAdmin, OrgTabs } from "../../../../features/orgs";
import { findOrgOrNotFound } from "../../../../features/orgs/server";

export default async function OrgLayout({
  children,
  params,
}: {
  children: ReactNode;
  params: Promise<{ orgId: string }>;
}) {
  const { orgId } = await params;
  const org = await findOrgOrNotFound(orgId);
  const tabs = [
    { label: "Projects", href: `/orgs/${org.id}` },
    { label: "Members", href: `/orgs/${org.id}/members` },
    ...(isOrgAdmin(org.role) ? [{ label: "Audit log", href: `/orgs/${org.id}/audit` }] : []),
  ];
  return (
    <div className="flex flex-col gap-6">
      <div className="flex flex-col gap-1">
        <span className="text-sm text-neutral-500">Organization</span>
        <div className="flex items-center gap-3">
          <h1 className="text-2xl font-semibold tracking-tight" data-testid="org-name">
            {org.name}
          </h1>
          <span className="rounded-full bg-neutral-200 px-2 py-0.5 text-xs font-medium text-neutral-700">
            {org.role.toLowerCase()}
          </span>
        </div>
      </div>
      <OrgTabs tabs={tabs} />
      {children}
    </div>
  );
}
