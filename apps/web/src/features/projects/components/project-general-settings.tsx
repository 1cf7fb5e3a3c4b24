"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { type FormEvent, useState } from "react";
import { useTRPC } from "../../../lib/trpc";
import type { TProjectDto } from "../lib/project-dto";

/** Rename and delete; only owners and admins see the controls (the server checks the same). */
export function ProjectGeneralSettings({ project }: { project: TProjectDto }) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const [message, setMessage] = useState<{ isError: boolean; text: string } | null>(null);
  const isAdmin = project.role === "OWNER" || project.role === "ADMIN";
  const onError = (error: { message: string }) => setMessage({ isError: true, text: error.message });
  const rename = useMutation(
    trpc.project.rename.mutationOptions({
      onSuccess: async () => {
        setMessage({ isError: false, text: "Project renamed" });
        await queryClient.invalidateQueries({ queryKey: trpc.project.pathKey() });
        router.refresh();
      },
      onError,
    }),
  );
  const remove = useMutation(
    trpc.project.delete.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries({ queryKey: trpc.project.pathKey() });
        router.push(`/orgs/${project.orgId}`);
      },
      onError,
    }),
  );

  function onRename(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setMessage(null);
    rename.mutate({ projectId: project.id, name: String(new FormData(event.currentTarget).get("name") ?? "") });
  }

  if (!isAdmin) {
    return (
      <p className="text-sm text-neutral-600">Only organization owners and admins can rename or delete this project.</p>
    );
  }

  return (
    <div className="flex flex-col gap-4">
      <form onSubmit={onRename} className="flex flex-wrap items-end gap-3">
        <label className="flex flex-col gap-1.5 text-sm font-medium text-neutral-700">
          Project name
          <input
            name="name"
            defaultValue={project.name}
            required
            maxLength={100}
            className="w-72 rounded-md border border-neutral-300 bg-white px-3 py-2 text-sm font-normal outline-none focus:border-neutral-500"
          />
        </label>
        <button
          type="submit"
          disabled={rename.isPending}
          className="rounded-md border border-neutral-300 bg-white px-3 py-2 text-sm font-medium hover:bg-neutral-100 disabled:opacity-60"
        >
          Rename
        </button>
      </form>
      {message ? (
        <p
          role={message.isError ? "alert" : "status"}
          className={`text-sm ${message.isError ? "text-red-700" : "text-green-800"}`}
        >
          {message.text}
        </p>
      ) : null}
      <div className="flex items-center justify-between rounded-xl border border-red-200 bg-red-50 px-4 py-3">
        <div className="text-sm text-red-900">
          Deleting the project revokes its API keys and hides its traces. This cannot be undone.
        </div>
        <button
          type="button"
          disabled={remove.isPending}
          onClick={() => {
            if (window.prompt(`Type the project name (${project.name}) to delete it`) === project.name) {
              remove.mutate({ projectId: project.id });
            }
          }}
          className="rounded-md bg-red-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-red-600 disabled:opacity-60"
        >
          Delete project
        </button>
      </div>
    </div>
  );
}
