"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTRPC } from "../../../lib/trpc";

type TRule = { scoreName: string; operator: "lt" | "lte" | "eq"; threshold: number };

/** Low confidence (which scores and thresholds), score-config enforcement and the LLM-judge budget. */
export function EvalSettingsPanel({ projectId, canWrite }: { projectId: string; canWrite: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const settings = useQuery(trpc.score.settings.queryOptions({ projectId }));
  const [draftRules, setDraftRules] = useState<TRule[] | null>(null);
  const [message, setMessage] = useState<{ isError: boolean; text: string } | null>(null);
  const update = useMutation(
    trpc.score.updateSettings.mutationOptions({
      onSuccess: async () => {
        setMessage({ isError: false, text: "Saved." });
        setDraftRules(null);
        await queryClient.invalidateQueries({ queryKey: trpc.score.settings.queryKey({ projectId }) });
      },
      onError: (error) => setMessage({ isError: true, text: error.message }),
    }),
  );

  if (settings.isPending) {
    return (
      <div className="h-24 animate-pulse rounded-xl bg-neutral-200" aria-busy="true">
        <span className="sr-only">Loading settings</span>
      </div>
    );
  }
  if (settings.isError) {
    return (
      <p role="alert" className="text-sm text-red-700">
        Settings could not be loaded: {settings.error.message}. Reload the page to try again.
      </p>
    );
  }
  const rules = draftRules ?? settings.data.lowConfidenceRules;
  const setRule = (index: number, patch: Partial<TRule>) =>
    setDraftRules(rules.map((rule, ruleIndex) => (ruleIndex === index ? { ...rule, ...patch } : rule)));

  function onSave(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const budget = String(form.get("budget") ?? "").trim();
    update.mutate({
      projectId,
      settings: {
        lowConfidenceRules: rules.filter((rule) => rule.scoreName.trim() !== ""),
        requireScoreConfig: form.get("requireScoreConfig") === "on",
        monthlyJudgeBudgetUsd: budget === "" ? null : Number(budget),
      },
    });
  }

  return (
    <form onSubmit={onSave} className="flex flex-col gap-4 rounded-xl border border-neutral-200 bg-white p-4 text-sm">
      <fieldset className="flex flex-col gap-2" disabled={!canWrite}>
        <legend className="font-medium">Low confidence</legend>
        <p className="text-neutral-600">
          A trace is low confidence when any of its scores matches a rule below. Filters and other features use this
          definition.
        </p>
        {rules.length === 0 ? <p className="text-neutral-500">No rule: no trace is low confidence.</p> : null}
        {rules.map((rule, index) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: rules have no id and are edited in place
          <div key={index} className="flex items-center gap-2" data-testid="low-confidence-rule">
            <input
              aria-label="Score name"
              value={rule.scoreName}
              onChange={(event) => setRule(index, { scoreName: event.target.value })}
              placeholder="faithfulness"
              className="rounded-md border border-neutral-300 px-2 py-1"
            />
            <select
              aria-label="Operator"
              value={rule.operator}
              onChange={(event) => setRule(index, { operator: event.target.value as TRule["operator"] })}
              className="rounded-md border border-neutral-300 px-2 py-1"
            >
              <option value="lt">&lt;</option>
              <option value="lte">≤</option>
              <option value="eq">=</option>
            </select>
            <input
              aria-label="Threshold"
              type="number"
              step="any"
              value={rule.threshold}
              onChange={(event) => setRule(index, { threshold: Number(event.target.value) })}
              className="w-24 rounded-md border border-neutral-300 px-2 py-1"
            />
            <button
              type="button"
              className="text-xs underline"
              onClick={() => setDraftRules(rules.filter((_, ruleIndex) => ruleIndex !== index))}
            >
              Remove
            </button>
          </div>
        ))}
        <button
          type="button"
          className="self-start text-xs underline"
          onClick={() => setDraftRules([...rules, { scoreName: "", operator: "lt", threshold: 0.5 }])}
        >
          Add rule
        </button>
      </fieldset>
      <label className="flex items-center gap-2" key={`require-${settings.dataUpdatedAt}`}>
        <input
          type="checkbox"
          name="requireScoreConfig"
          defaultChecked={settings.data.requireScoreConfig}
          disabled={!canWrite}
        />
        Reject scores whose name has no score config
      </label>
      <label className="flex flex-col gap-1" key={`budget-${settings.dataUpdatedAt}`}>
        LLM-judge budget per month (USD, empty for none)
        <input
          name="budget"
          type="number"
          step="any"
          min={0}
          defaultValue={settings.data.monthlyJudgeBudgetUsd ?? ""}
          disabled={!canWrite}
          className="w-40 rounded-md border border-neutral-300 px-2 py-1"
        />
      </label>
      {message ? (
        <p role={message.isError ? "alert" : "status"} className={message.isError ? "text-red-700" : "text-green-700"}>
          {message.text}
        </p>
      ) : null}
      {canWrite ? (
        <button
          type="submit"
          disabled={update.isPending}
          className="self-start rounded-md bg-neutral-900 px-3 py-1.5 text-white disabled:opacity-50"
        >
          {update.isPending ? "Saving…" : "Save settings"}
        </button>
      ) : null}
    </form>
  );
}
