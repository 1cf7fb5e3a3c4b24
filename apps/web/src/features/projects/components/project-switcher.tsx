"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useParams } from "next/navigation";
import { useTRPC } from "../../../lib/trpc";
import { useDismissableMenu } from "../../../lib/use-dismissable-menu";

export function ProjectSwitcher() {
  const trpc = useTRPC();
  const projects = useQuery(trpc.project.list.queryOptions());
  const params = useParams<{ projectId?: string }>();
  const { isOpen, setIsOpen, containerRef } = useDismissableMenu();

  if (projects.isPending) {
    return (
      <div className="h-8 w-40 animate-pulse rounded-md bg-neutral-200">
        <span className="sr-only">Loading projects</span>
      </div>
    );
  }
  if (projects.isError) {
    return <span className="text-sm text-red-700">Projects unavailable</span>;
  }

  const currentProject = projects.data.find((project) => project.id === params.projectId);

  return (
    <div className="relative" ref={containerRef}>
      <button
        type="button"
        onClick={() => setIsOpen((wasOpen) => !wasOpen)}
        aria-expanded={isOpen}
        data-testid="project-switcher"
        className="flex items-center gap-2 rounded-md border border-neutral-300 bg-white px-3 py-1.5 text-sm text-neutral-800 hover:bg-neutral-100"
      >
        {currentProject ? (
          <>
            <span className="text-neutral-500">{currentProject.orgName} /</span>
            <span className="font-medium">{currentProject.name}</span>
          </>
        ) : (
          <span>Select a project</span>
        )}
        <span aria-hidden className="text-neutral-400">
          ▾
        </span>
      </button>
      {isOpen ? (
        <ul
          data-testid="project-switcher-list"
          className="absolute left-0 z-10 mt-1 max-h-80 w-72 overflow-auto rounded-md border border-neutral-200 bg-white py-1 shadow-lg"
        >
          {projects.data.length === 0 ? <li className="px-3 py-2 text-sm text-neutral-500">No projects yet</li> : null}
          {projects.data.map((project) => (
            <li key={project.id}>
              <Link
                href={`/project/${project.id}`}
                onClick={() => setIsOpen(false)}
                className="flex flex-col px-3 py-2 text-sm hover:bg-neutral-100 aria-[current=page]:bg-neutral-100"
                aria-current={project.id === currentProject?.id ? "page" : undefined}
              >
                <span className="font-medium text-neutral-900">{project.name}</span>
                <span className="text-xs text-neutral-500">{project.orgName}</span>
              </Link>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
