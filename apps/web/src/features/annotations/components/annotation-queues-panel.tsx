"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import type { FormEvent } from "react";
import { useTRPC } from "../../../lib/trpc";
import { MutationErrorAlert, useMutationError } from "../../../lib/use-mutation-error";

type TOperator = "lt" | "lte" | "eq" | "gte" | "gt";
const OPERATOR_LABELS: Record<TOperator, string> = { lt: "<", lte: "≤", eq: "=", gte: "≥", gt: ">" };

/** Saved filters reviewers walk through, e.g. "negative feedback this week", each with the configs to score. */
export function AnnotationQueuesPanel({ projectId, canWrite }: { projectId: string; canWrite: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const queues = useQuery(trpc.annotation.queues.queryOptions({ projectId }));
  const configs = useQuery(trpc.score.configs.queryOptions({ projectId, includeArchived: false }));
  const failure = useMutationError();
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.annotation.queues.queryKey({ projectId }) });
  const create = useMutation(
    trpc.annotation.createQueue.mutationOptions({
      onSuccess: failure.clearing(refresh),
      onError: failure.onError,
    }),
  );
  const remove = useMutation(
    trpc.annotation.deleteQueue.mutationOptions({
      onSuccess: refresh,
      onError: failure.onError,
    }),
  );

  function onCreate(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const text = (key: string) => String(form.get(key) ?? "").trim();
    const tags = text("tags")
      .split(",")
      .map((tag) => tag.trim())
      .filter(Boolean);
    const scoreName = text("scoreName");
    create.mutate({
      projectId,
      queue: {
        name: text("name"),
        description: text("description") || null,
        filter: {
          sinceDays: Number(text("sinceDays") || "7"),
          ...(text("traceName") ? { traceName: text("traceName") } : {}),
          ...(tags.length > 0 ? { tags } : {}),
          ...(scoreName
            ? {
                scoreName,
                scoreOperator: text("scoreOperator") as TOperator,
                scoreValue: Number(text("scoreValue") || "0"),
              }
            : {}),
        },
        scoreConfigIds: form.getAll("scoreConfigIds").map(String),
      },
    });
  }

  return (
    <div className="flex flex-col gap-4 text-sm">
      <MutationErrorAlert message={failure.message} />
      {queues.isPending ? (
        <div className="h-16 animate-pulse rounded-xl bg-neutral-200" aria-busy="true">
          <span className="sr-only">Loading annotation queues</span>
        </div>
      ) : queues.isError ? (
        <p role="alert" className="text-red-700">
          Queues could not be loaded: {queues.error.message}. Reload the page to try again.
        </p>
      ) : queues.data.length === 0 ? (
        <p className="rounded-xl border border-dashed border-neutral-300 bg-white px-4 py-6 text-center text-neutral-600">
          No annotation queues yet. Create one below to review a filtered set of traces.
        </p>
      ) : (
        <ul className="flex flex-col gap-2" data-testid="annotation-queues">
          {queues.data.map((queue) => (
            <li
              key={queue.id}
              className="flex items-center justify-between rounded-xl border border-neutral-200 bg-white px-4 py-3"
            >
              <div className="flex flex-col">
                <Link href={`/project/${projectId}/annotation/${queue.id}`} className="font-medium underline">
                  {queue.name}
                </Link>
                <span className="text-xs text-neutral-500">
                  last {queue.filter.sinceDays} days
                  {queue.filter.traceName ? ` · named ${queue.filter.traceName}` : ""}
                  {queue.filter.tags?.length ? ` · tagged ${queue.filter.tags.join(", ")}` : ""}
                  {queue.filter.scoreName && queue.filter.scoreOperator
                    ? ` · ${queue.filter.scoreName} ${OPERATOR_LABELS[queue.filter.scoreOperator]} ${queue.filter.scoreValue}`
                    : ""}
                </span>
              </div>
              {canWrite ? (
                <button
                  type="button"
                  className="text-xs text-red-700 underline"
                  onClick={() => remove.mutate({ projectId, queueId: queue.id })}
                >
                  Delete
                </button>
              ) : null}
            </li>
          ))}
        </ul>
      )}
      {canWrite ? (
        configs.data && configs.data.length === 0 ? (
          <p className="text-neutral-600">
            Add a score config under{" "}
            <Link className="underline" href={`/project/${projectId}/scores`}>
              Scores
            </Link>{" "}
            before creating a queue: reviewers score traces with configs.
          </p>
        ) : (
          <form
            onSubmit={onCreate}
            className="grid gap-3 rounded-xl border border-neutral-200 bg-white p-4 md:grid-cols-3"
            data-testid="annotation-queue-form"
          >
            <label className="flex flex-col gap-1">
              Name
              <input
                name="name"
                required
                placeholder="Negative feedback this week"
                className="rounded-md border border-neutral-300 px-2 py-1"
              />
            </label>
            <label className="flex flex-col gap-1">
              Days back
              <input
                name="sinceDays"
                type="number"
                min={1}
                max={90}
                defaultValue={7}
                className="rounded-md border border-neutral-300 px-2 py-1"
              />
            </label>
            <label className="flex flex-col gap-1">
              Trace name
              <input name="traceName" className="rounded-md border border-neutral-300 px-2 py-1" />
            </label>
            <label className="flex flex-col gap-1">
              Tags (all required)
              <input name="tags" className="rounded-md border border-neutral-300 px-2 py-1" />
            </label>
            <div className="flex items-end gap-2 md:col-span-2">
              <label className="flex flex-col gap-1">
                With score
                <input
                  name="scoreName"
                  placeholder="user_feedback"
                  className="rounded-md border border-neutral-300 px-2 py-1"
                />
              </label>
              <label className="flex flex-col gap-1">
                <span className="sr-only">Operator</span>
                <select
                  name="scoreOperator"
                  defaultValue="lte"
                  className="rounded-md border border-neutral-300 px-2 py-1"
                >
                  {(Object.keys(OPERATOR_LABELS) as TOperator[]).map((operator) => (
                    <option key={operator} value={operator}>
                      {OPERATOR_LABELS[operator]}
                    </option>
                  ))}
                </select>
              </label>
              <label className="flex flex-col gap-1">
                <span className="sr-only">Value</span>
                <input
                  name="scoreValue"
                  type="number"
                  step="any"
                  defaultValue={0}
                  className="w-20 rounded-md border border-neutral-300 px-2 py-1"
                />
              </label>
            </div>
            <fieldset className="flex flex-wrap gap-3 md:col-span-3">
              <legend className="mb-1">Score with</legend>
              {(configs.data ?? []).map((config) => (
                <label key={config.id} className="flex items-center gap-1">
                  <input type="checkbox" name="scoreConfigIds" value={config.id} defaultChecked />
                  {config.name}
                </label>
              ))}
            </fieldset>
            <label className="flex flex-col gap-1 md:col-span-2">
              Description
              <input name="description" className="rounded-md border border-neutral-300 px-2 py-1" />
            </label>
            <button
              type="submit"
              disabled={create.isPending}
              className="self-end rounded-md bg-neutral-900 px-3 py-1.5 text-white disabled:opacity-50"
            >
              {create.isPending ? "Creating…" : "Create queue"}
            </button>
          </form>
        )
      ) : null}
    </div>
  );
}
