"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTRPC } from "../../../lib/trpc";
import { MutationErrorAlert, useMutationError } from "../../../lib/use-mutation-error";
import { defaultEvaluatorConfig } from "./default-configs";
import { EvaluatorDetails } from "./evaluator-details";

/** The project's online evaluators: what they check, on which traces, and how they are doing. */
export function EvaluatorsPanel({ projectId, canWrite }: { projectId: string; canWrite: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const evaluators = useQuery(trpc.evaluator.list.queryOptions({ projectId }));
  const catalog = useQuery(trpc.evaluator.catalog.queryOptions({ projectId }));
  const connections = useQuery(trpc.evaluator.connections.queryOptions({ projectId }));
  const [openId, setOpenId] = useState<string | null>(null);
  const [type, setType] = useState("contains");
  const [configText, setConfigText] = useState<string | null>(null);
  const failure = useMutationError();
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.evaluator.list.queryKey({ projectId }) });
  const onError = failure.onError;
  const save = useMutation(
    trpc.evaluator.save.mutationOptions({
      onSuccess: failure.clearing(async () => {
        setConfigText(null);
        await refresh();
      }),
      onError,
    }),
  );
  const setEnabled = useMutation(trpc.evaluator.setEnabled.mutationOptions({ onSuccess: refresh, onError }));
  const remove = useMutation(trpc.evaluator.delete.mutationOptions({ onSuccess: refresh, onError }));

  const templates = catalog.data?.judgeTemplates ?? {};
  const shownConfig = configText ?? JSON.stringify(defaultEvaluatorConfig(type, templates), null, 2);

  function onCreate(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const text = (key: string) => String(form.get(key) ?? "").trim();
    let config: unknown;
    try {
      config = JSON.parse(shownConfig);
    } catch {
      failure.show("config: not valid JSON — fix the settings box and save again");
      return;
    }
    const tags = text("tags")
      .split(",")
      .map((tag) => tag.trim())
      .filter(Boolean);
    save.mutate({
      projectId,
      evaluator: {
        name: text("name"),
        scoreName: text("scoreName"),
        // Validated on the server against the evaluator schemas; errors come back naming the field.
        config: config as never,
        filter: {
          ...(text("traceName") ? { traceName: text("traceName") } : {}),
          ...(tags.length > 0 ? { tags } : {}),
          ...(text("environment") ? { environment: text("environment") } : {}),
        },
        samplingRate: Number(text("samplingPercent") || "100") / 100,
        llmConnectionId: type === "llm_judge" ? text("llmConnectionId") || null : null,
      },
    });
  }

  return (
    <div className="flex flex-col gap-4">
      <MutationErrorAlert message={failure.message} />
      {evaluators.isPending ? (
        <div className="h-24 animate-pulse rounded-xl bg-neutral-200" aria-busy="true">
          <span className="sr-only">Loading evaluators</span>
        </div>
      ) : evaluators.isError ? (
        <p role="alert" className="text-sm text-red-700">
          Evaluators could not be loaded: {evaluators.error.message}. Reload the page to try again.
        </p>
      ) : evaluators.data.length === 0 ? (
        <p className="rounded-xl border border-dashed border-neutral-300 bg-white px-4 py-6 text-center text-sm text-neutral-600">
          No evaluators yet. Add one below to score incoming traces automatically.
        </p>
      ) : (
        <ul className="flex flex-col gap-2" data-testid="evaluators-list">
          {evaluators.data.map((evaluator) => (
            <li
              key={evaluator.id}
              className="flex flex-col gap-3 rounded-xl border border-neutral-200 bg-white p-4 text-sm"
            >
              <div className="flex flex-wrap items-center justify-between gap-2">
                <div className="flex flex-col">
                  <span className="font-medium">
                    {evaluator.name}{" "}
                    <span className="text-xs text-neutral-500">
                      {evaluator.type} → {evaluator.scoreName} · v{evaluator.version}
                    </span>
                  </span>
                  <span className="text-xs text-neutral-500">
                    {Math.round(evaluator.samplingRate * 100)}% of traces
                    {evaluator.filter.traceName ? ` named ${evaluator.filter.traceName}` : ""}
                    {evaluator.filter.tags?.length ? ` tagged ${evaluator.filter.tags.join(", ")}` : ""}
                    {evaluator.filter.environment ? ` in ${evaluator.filter.environment}` : ""}
                  </span>
                </div>
                <div className="flex items-center gap-3 text-xs">
                  <span>
                    {evaluator.runs.QUEUED} queued · {evaluator.runs.RUNNING} running · {evaluator.runs.SUCCEEDED} done
                    ·{" "}
                    <span className={evaluator.runs.FAILED > 0 ? "text-red-700" : ""}>
                      {evaluator.runs.FAILED} failed
                    </span>
                  </span>
                  <button
                    type="button"
                    className="underline"
                    onClick={() => setOpenId(openId === evaluator.id ? null : evaluator.id)}
                  >
                    {openId === evaluator.id ? "Hide" : "Why / runs"}
                  </button>
                  {canWrite ? (
                    <>
                      <button
                        type="button"
                        className="underline"
                        onClick={() =>
                          setEnabled.mutate({ projectId, evaluatorId: evaluator.id, isEnabled: !evaluator.isEnabled })
                        }
                      >
                        {evaluator.isEnabled ? "Pause" : "Resume"}
                      </button>
                      <button
                        type="button"
                        className="text-red-700 underline"
                        onClick={() => remove.mutate({ projectId, evaluatorId: evaluator.id })}
                      >
                        Delete
                      </button>
                    </>
                  ) : null}
                </div>
              </div>
              {openId === evaluator.id ? <EvaluatorDetails projectId={projectId} evaluatorId={evaluator.id} /> : null}
            </li>
          ))}
        </ul>
      )}
      {canWrite ? (
        <form
          onSubmit={onCreate}
          className="grid gap-3 rounded-xl border border-neutral-200 bg-white p-4 text-sm md:grid-cols-3"
        >
          <label className="flex flex-col gap-1">
            Name
            <input name="name" required className="rounded-md border border-neutral-300 px-2 py-1" />
          </label>
          <label className="flex flex-col gap-1">
            Score name
            <input
              name="scoreName"
              required
              className="rounded-md border border-neutral-300 px-2 py-1"
              placeholder="faithfulness"
            />
          </label>
          <label className="flex flex-col gap-1">
            Evaluator
            <select
              aria-label="Evaluator type"
              value={type}
              onChange={(event) => {
                setType(event.target.value);
                setConfigText(null);
              }}
              className="rounded-md border border-neutral-300 px-2 py-1"
            >
              {(catalog.data?.types ?? []).map((option) => (
                <option key={option.type} value={option.type}>
                  {option.label}
                </option>
              ))}
            </select>
          </label>
          <label className="flex flex-col gap-1">
            Trace name (filter)
            <input name="traceName" className="rounded-md border border-neutral-300 px-2 py-1" />
          </label>
          <label className="flex flex-col gap-1">
            Tags (all required, comma separated)
            <input name="tags" className="rounded-md border border-neutral-300 px-2 py-1" placeholder="domain:hr" />
          </label>
          <label className="flex flex-col gap-1">
            Environment
            <input name="environment" className="rounded-md border border-neutral-300 px-2 py-1" />
          </label>
          <label className="flex flex-col gap-1">
            Sampling (% of matching traces)
            <input
              name="samplingPercent"
              type="number"
              min={0}
              max={100}
              defaultValue={100}
              className="rounded-md border border-neutral-300 px-2 py-1"
            />
          </label>
          {type === "llm_judge" ? (
            connections.data && connections.data.length === 0 ? (
              <p className="text-neutral-600 md:col-span-2">Add an LLM connection below first.</p>
            ) : (
              <label className="flex flex-col gap-1 md:col-span-2">
                LLM connection
                <select name="llmConnectionId" className="rounded-md border border-neutral-300 px-2 py-1">
                  {(connections.data ?? []).map((connection) => (
                    <option key={connection.id} value={connection.id}>
                      {connection.name} ({connection.defaultModel})
                    </option>
                  ))}
                </select>
              </label>
            )
          ) : null}
          <label className="flex flex-col gap-1 md:col-span-3">
            Settings (JSON
            {type === "llm_judge"
              ? "; edit the prompt, {{input}} {{output}} {{context}} {{reference}} are filled in"
              : ""}
            )
            {type === "llm_judge" ? (
              <span className="flex flex-wrap gap-2 text-xs">
                Template:
                {Object.keys(templates).map((name) => (
                  <button
                    key={name}
                    type="button"
                    className="underline"
                    onClick={() =>
                      setConfigText(
                        JSON.stringify({ type: "llm_judge", template: name, prompt: templates[name] }, null, 2),
                      )
                    }
                  >
                    {name.replace("_", " ")}
                  </button>
                ))}
              </span>
            ) : null}
            <textarea
              aria-label="Evaluator settings (JSON)"
              value={shownConfig}
              onChange={(event) => setConfigText(event.target.value)}
              rows={type === "llm_judge" ? 12 : 6}
              className="rounded-md border border-neutral-300 px-2 py-1 font-mono text-xs"
            />
          </label>
          <button
            type="submit"
            disabled={save.isPending}
            className="self-start rounded-md bg-neutral-900 px-3 py-1.5 text-white disabled:opacity-50"
          >
            {save.isPending ? "Saving…" : "Add evaluator"}
          </button>
        </form>
      ) : null}
    </div>
  );
}
