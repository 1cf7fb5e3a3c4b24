"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { type FormEvent, useState } from "react";
import { useTRPC } from "../../../lib/trpc";

/** Creates an organization (the user becomes its owner) and opens it. */
export function CreateOrgForm() {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const [errorMessage, setErrorMessage] = useState<string | null>(null);
  const createOrg = useMutation(
    trpc.org.create.mutationOptions({
      onSuccess: async (org) => {
        await queryClient.invalidateQueries({ queryKey: trpc.org.list.queryKey() });
        router.push(`/orgs/${org.id}`);
      },
      onError: (error) => setErrorMessage(error.message),
    }),
  );

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setErrorMessage(null);
    createOrg.mutate({ name: String(new FormData(event.currentTarget).get("name") ?? "") });
  }

  return (
    <form onSubmit={onSubmit} className="flex w-full max-w-md flex-col gap-3" data-testid="create-org-form">
      <label className="flex flex-col gap-1.5 text-sm font-medium text-neutral-700">
        Organization name
        <input
          name="name"
          required
          maxLength={100}
          placeholder="Acme Inc."
          data-testid="org-name-input"
          className="rounded-md border border-neutral-300 bg-white px-3 py-2 text-sm font-normal outline-none focus:border-neutral-500 focus:ring-2 focus:ring-neutral-200"
        />
      </label>
      {errorMessage ? (
        <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-700">
          {errorMessage}
        </p>
      ) : null}
      <button
        type="submit"
        disabled={createOrg.isPending}
        data-testid="create-org-submit"
        className="self-start rounded-md bg-neutral-900 px-3 py-2 text-sm font-medium text-white hover:bg-neutral-700 disabled:opacity-60"
      >
        {createOrg.isPending ? "Creating…" : "Create organization"}
      </button>
    </form>
  );
}
