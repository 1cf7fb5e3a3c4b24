"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useParams } from "next/navigation";
import { useTRPC } from "../../../lib/trpc";
import { useDismissableMenu } from "../../../lib/use-dismissable-menu";

/** Lists the user's organizations; the current one is taken from the URL or the current project. */
export function OrgSwitcher() {
  const trpc = useTRPC();
  const orgs = useQuery(trpc.org.list.queryOptions());
  const projects = useQuery(trpc.project.list.queryOptions());
  const params = useParams<{ orgId?: string; projectId?: string }>();
  const { isOpen, setIsOpen, containerRef } = useDismissableMenu();

  if (orgs.isPending) {
    return (
      <div className="h-8 w-32 animate-pulse rounded-md bg-neutral-200">
        <span className="sr-only">Loading organizations</span>
      </div>
    );
  }
  if (orgs.isError) return <span className="text-sm text-red-700">Organizations unavailable</span>;

  const currentOrgId = params.orgId ?? projects.data?.find((project) => project.id === params.projectId)?.orgId;
  const currentOrg = orgs.data.find((org) => org.id === currentOrgId);

  return (
    <div className="relative" ref={containerRef}>
      <button
        type="button"
        onClick={() => setIsOpen((wasOpen) => !wasOpen)}
        aria-expanded={isOpen}
        data-testid="org-switcher"
        className="flex items-center gap-2 rounded-md px-2 py-1.5 text-sm text-neutral-800 hover:bg-neutral-100"
      >
        <span className="font-medium">{currentOrg?.name ?? "Organizations"}</span>
        <span aria-hidden className="text-neutral-400">
          ▾
        </span>
      </button>
      {isOpen ? (
        <ul
          data-testid="org-switcher-list"
          className="absolute left-0 z-10 mt-1 max-h-80 w-64 overflow-auto rounded-md border border-neutral-200 bg-white py-1 shadow-lg"
        >
          {orgs.data.map((org) => (
            <li key={org.id}>
              <Link
                href={`/orgs/${org.id}`}
                onClick={() => setIsOpen(false)}
                aria-current={org.id === currentOrg?.id ? "page" : undefined}
                className="flex items-center justify-between px-3 py-2 text-sm hover:bg-neutral-100 aria-[current=page]:bg-neutral-100"
              >
                <span className="font-medium text-neutral-900">{org.name}</span>
                <span className="text-xs text-neutral-500">{org.role.toLowerCase()}</span>
              </Link>
            </li>
          ))}
          <li className="border-t border-neutral-100">
            <Link
              href="/orgs/new"
              onClick={() => setIsOpen(false)}
              data-testid="new-org-link"
              className="block px-3 py-2 text-sm text-neutral-700 hover:bg-neutral-100"
            >
              + New organization
            </Link>
          </li>
        </ul>
      ) : null}
    </div>
  );
}
