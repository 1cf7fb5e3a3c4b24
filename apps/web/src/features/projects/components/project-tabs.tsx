"use client";

import Link from "next/link";
import { useSelectedLayoutSegment } from "next/navigation";
import { PROJECT_NAV_ITEMS } from "../../navigation/project-nav-items";

/** The project's tabs, from the shared list each feature adds its entry to. */
export function ProjectTabs({ projectId }: { projectId: string }) {
  const activeSegment = useSelectedLayoutSegment() ?? "";
  return (
    <nav className="-mt-2 mb-6 flex gap-1 border-b border-neutral-200" aria-label="Project" data-testid="project-tabs">
      {PROJECT_NAV_ITEMS.map((item) => {
        const isActive = item.segment === activeSegment;
        return (
          <Link
            key={item.segment}
            href={item.segment ? `/project/${projectId}/${item.segment}` : `/project/${projectId}`}
            aria-current={isActive ? "page" : undefined}
            className="-mb-px border-b-2 border-transparent px-3 py-2 text-sm text-neutral-600 hover:text-neutral-900 aria-[current=page]:border-neutral-900 aria-[current=page]:font-medium aria-[current=page]:text-neutral-900"
          >
            {item.label}
          </Link>
        );
      })}
    </nav>
  );
}
