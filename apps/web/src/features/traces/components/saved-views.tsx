"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "../../../lib/trpc";
import { useExplorerUrl } from "./use-explorer-url";

/** The project's saved views: load one into the URL, save the current URL under a name. */
export function SavedViews({ projectId, canSave }: { projectId: string; canSave: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { searchText, replaceAll } = useExplorerUrl();
  const views = useQuery(trpc.savedView.list.queryOptions({ projectId }));
  const [name, setName] = useState("");
  const onSaved = () => queryClient.invalidateQueries({ queryKey: trpc.savedView.list.queryKey({ projectId }) });
  const save = useMutation(trpc.savedView.save.mutationOptions({ onSuccess: onSaved }));
  const remove = useMutation(trpc.savedView.delete.mutationOptions({ onSuccess: onSaved }));
  const current = views.data?.find((view) => view.query === searchText);

  return (
    <div className="flex flex-wrap items-center gap-2 text-sm" data-testid="saved-views">
      <select
        aria-label="Saved views"
        className="rounded border border-neutral-300 bg-white px-2 py-1"
        value={current?.id ?? ""}
        disabled={views.isPending}
        onChange={(event) => {
          const view = views.data?.find((candidate) => candidate.id === event.currentTarget.value);
          replaceAll(view?.query ?? "");
        }}
      >
        <option value="">{views.isPending ? "Loading views…" : "Saved views"}</option>
        {views.data?.map((view) => (
          <option key={view.id} value={view.id}>
            {view.name}
          </option>
        ))}
      </select>
      {current && canSave && (
        <button
          type="button"
          className="text-xs text-neutral-500 underline"
          onClick={() => remove.mutate({ projectId, viewId: current.id })}
        >
          delete “{current.name}”
        </button>
      )}
      {canSave && (
        <form
          className="flex items-center gap-1"
          onSubmit={(event) => {
            event.preventDefault();
            if (name.trim())
              save.mutate({ projectId, name: name.trim(), query: searchText }, { onSuccess: () => setName("") });
          }}
        >
          <input
            value={name}
            onChange={(event) => setName(event.currentTarget.value)}
            placeholder="Name this view"
            aria-label="View name"
            className="w-36 rounded border border-neutral-300 bg-white px-2 py-1"
          />
          <button
            type="submit"
            className="rounded bg-neutral-900 px-2.5 py-1 text-white disabled:opacity-50"
            disabled={!name.trim() || save.isPending}
          >
            Save view
          </button>
        </form>
      )}
      {(save.isError || remove.isError) && (
        <span className="text-xs text-red-700" role="alert">
          {(save.error ?? remove.error)?.message}
        </span>
      )}
    </div>
  );
}
