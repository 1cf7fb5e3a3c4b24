"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { FormEvent } from "react";
import { useTRPC } from "../../../lib/trpc";
import { MutationErrorAlert, useMutationError } from "../../../lib/use-mutation-error";

/** OpenAI-compatible endpoints LLM judges call; keys are stored encrypted and never shown again. */
export function LlmConnectionsPanel({ projectId, canWrite }: { projectId: string; canWrite: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const connections = useQuery(trpc.evaluator.connections.queryOptions({ projectId }));
  const failure = useMutationError();
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.evaluator.connections.queryKey({ projectId }) });
  const save = useMutation(
    trpc.evaluator.saveConnection.mutationOptions({
      onSuccess: failure.clearing(refresh),
      onError: failure.onError,
    }),
  );
  const remove = useMutation(
    trpc.evaluator.deleteConnection.mutationOptions({
      onSuccess: refresh,
      onError: failure.onError,
    }),
  );

  function onSave(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const text = (key: string) => String(form.get(key) ?? "").trim();
    save.mutate({
      projectId,
      connection: {
        name: text("name"),
        provider: text("provider") || "openai",
        baseUrl: text("baseUrl"),
        ...(text("apiKey") ? { apiKey: text("apiKey") } : {}),
        defaultModel: text("defaultModel"),
        requestsPerMinute: Number(text("requestsPerMinute") || "60"),
      },
    });
    event.currentTarget.reset();
  }

  return (
    <div className="flex flex-col gap-3 text-sm">
      <MutationErrorAlert message={failure.message} />
      {connections.isPending ? (
        <div className="h-12 animate-pulse rounded-xl bg-neutral-200" aria-busy="true" />
      ) : connections.isError ? (
        <p role="alert" className="text-red-700">
          Connections could not be loaded: {connections.error.message}. Reload the page to try again.
        </p>
      ) : connections.data.length === 0 ? (
        <p className="text-neutral-600">No LLM connection yet. LLM-as-judge evaluators need one.</p>
      ) : (
        <ul className="flex flex-col gap-1">
          {connections.data.map((connection) => (
            <li
              key={connection.id}
              className="flex items-center justify-between rounded-lg border border-neutral-200 bg-white px-3 py-2"
            >
              <span>
                <span className="font-medium">{connection.name}</span>{" "}
                <span className="text-neutral-500">
                  {connection.baseUrl} · {connection.defaultModel} · key {connection.apiKeyPreview ?? "none"} ·{" "}
                  {connection.requestsPerMinute}/min
                </span>
              </span>
              {canWrite ? (
                <button
                  type="button"
                  className="text-xs text-red-700 underline"
                  onClick={() => remove.mutate({ projectId, connectionId: connection.id })}
                >
                  Delete
                </button>
              ) : null}
            </li>
          ))}
        </ul>
      )}
      {canWrite ? (
        <form onSubmit={onSave} className="grid gap-3 rounded-xl border border-neutral-200 bg-white p-4 md:grid-cols-3">
          <label className="flex flex-col gap-1">
            Name
            <input name="name" required className="rounded-md border border-neutral-300 px-2 py-1" />
          </label>
          <label className="flex flex-col gap-1">
            Base URL
            <input
              name="baseUrl"
              required
              placeholder="https://api.openai.com/v1"
              className="rounded-md border border-neutral-300 px-2 py-1"
            />
          </label>
          <label className="flex flex-col gap-1">
            API key
            <input
              name="apiKey"
              type="password"
              autoComplete="off"
              className="rounded-md border border-neutral-300 px-2 py-1"
            />
          </label>
          <label className="flex flex-col gap-1">
            Model
            <input
              name="defaultModel"
              required
              placeholder="gpt-4o-mini"
              className="rounded-md border border-neutral-300 px-2 py-1"
            />
          </label>
          <label className="flex flex-col gap-1">
            Provider (rate limits are per provider)
            <input name="provider" placeholder="openai" className="rounded-md border border-neutral-300 px-2 py-1" />
          </label>
          <label className="flex flex-col gap-1">
            Requests per minute
            <input
              name="requestsPerMinute"
              type="number"
              min={1}
              defaultValue={60}
              className="rounded-md border border-neutral-300 px-2 py-1"
            />
          </label>
          <button
            type="submit"
            disabled={save.isPending}
            className="self-start rounded-md bg-neutral-900 px-3 py-1.5 text-white disabled:opacity-50"
          >
            {save.isPending ? "Saving…" : "Add connection"}
          </button>
        </form>
      ) : null}
    </div>
  );
}
