"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { type FormEvent, useState } from "react";
import { useTRPC } from "../../../lib/trpc";

/** The organization's projects, with a form to add one for owners and admins. */
export function OrgProjects({ orgId, isAdmin }: { orgId: string; isAdmin: boolean }) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const projects = useQuery(trpc.project.listInOrg.queryOptions({ orgId }));
  const [errorMessage, setErrorMessage] = useState<string | null>(null);
  const createProject = useMutation(
    trpc.project.create.mutationOptions({
      onSuccess: async (project) => {
        await queryClient.invalidateQueries({ queryKey: trpc.project.pathKey() });
        router.push(`/project/${project.id}/settings`);
      },
      onError: (error) => setErrorMessage(error.message),
    }),
  );

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setErrorMessage(null);
    createProject.mutate({ orgId, name: String(new FormData(event.currentTarget).get("name") ?? "") });
  }

  return (
    <div className="flex flex-col gap-6">
      {projects.isPending ? (
        <div className="h-24 animate-pulse rounded-xl bg-neutral-200" aria-busy="true">
          <span className="sr-only">Loading projects</span>
        </div>
      ) : projects.isError ? (
        <p role="alert" className="text-sm text-red-700">
          Projects could not be loaded: {projects.error.message}. Reload the page to try again.
        </p>
      ) : projects.data.length === 0 ? (
        <div
          data-testid="org-projects-empty"
          className="rounded-xl border border-dashed border-neutral-300 bg-white px-6 py-10 text-center text-sm text-neutral-600"
        >
          No projects yet. {isAdmin ? "Create one below to get an API key." : "Ask an owner or admin to create one."}
        </div>
      ) : (
        <ul
          className="divide-y divide-neutral-200 rounded-xl border border-neutral-200 bg-white"
          data-testid="org-projects"
        >
          {projects.data.map((project) => (
            <li key={project.id} className="flex items-center justify-between px-4 py-3">
              <Link href={`/project/${project.id}`} className="font-medium text-neutral-900 hover:underline">
                {project.name}
              </Link>
              <Link href={`/project/${project.id}/settings`} className="text-sm text-neutral-600 hover:underline">
                Settings
              </Link>
            </li>
          ))}
        </ul>
      )}
      {isAdmin ? (
        <form onSubmit={onSubmit} className="flex flex-wrap items-end gap-3" data-testid="create-project-form">
          <label className="flex flex-col gap-1.5 text-sm font-medium text-neutral-700">
            New project
            <input
              name="name"
              required
              maxLength={100}
              placeholder="RAG support bot"
              data-testid="project-name-input"
              className="w-72 rounded-md border border-neutral-300 bg-white px-3 py-2 text-sm font-normal outline-none focus:border-neutral-500 focus:ring-2 focus:ring-neutral-200"
            />
          </label>
          <button
            type="submit"
            disabled={createProject.isPending}
            data-testid="create-project-submit"
            className="rounded-md bg-neutral-900 px-3 py-2 text-sm font-medium text-white hover:bg-neutral-700 disabled:opacity-60"
          >
            {createProject.isPending ? "Creating…" : "Create project"}
          </button>
          {errorMessage ? (
            <p role="alert" className="w-full text-sm text-red-700">
              {errorMessage}
            </p>
          ) : null}
        </form>
      ) : null}
    </div>
  );
}
