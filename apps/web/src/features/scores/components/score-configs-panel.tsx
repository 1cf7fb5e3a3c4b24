"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTRPC } from "../../../lib/trpc";
import { MutationErrorAlert, useMutationError } from "../../../lib/use-mutation-error";

type TDataType = "NUMERIC" | "BOOLEAN" | "CATEGORICAL";

/** Parses "good=1, bad=0" (or "good, bad", numbered from 0) into categories. */
function parseCategories(text: string): { label: string; value: number }[] {
  return text
    .split(",")
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part, index) => {
      const [label, value] = part.split("=").map((piece) => piece.trim());
      return { label: label ?? part, value: value !== undefined && value !== "" ? Number(value) : index };
    });
}

/** The project's score configs: what each score name must look like, and how reviewers give it. */
export function ScoreConfigsPanel({ projectId, canWrite }: { projectId: string; canWrite: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const configs = useQuery(trpc.score.configs.queryOptions({ projectId, includeArchived: true }));
  const [dataType, setDataType] = useState<TDataType>("NUMERIC");
  const failure = useMutationError();
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.score.configs.pathKey() });
  const createConfig = useMutation(
    trpc.score.createConfig.mutationOptions({
      onSuccess: failure.clearing(refresh),
      onError: failure.onError,
    }),
  );
  const setArchived = useMutation(
    trpc.score.setConfigArchived.mutationOptions({
      onSuccess: refresh,
      onError: failure.onError,
    }),
  );

  function onCreate(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const text = (key: string) => String(form.get(key) ?? "").trim();
    const number = (key: string) => (text(key) === "" ? null : Number(text(key)));
    createConfig.mutate({
      projectId,
      config: {
        name: text("name"),
        dataType,
        minValue: dataType === "NUMERIC" ? number("minValue") : null,
        maxValue: dataType === "NUMERIC" ? number("maxValue") : null,
        categories: dataType === "CATEGORICAL" ? parseCategories(text("categories")) : null,
        description: text("description") || null,
        shortcut: text("shortcut").toLowerCase() || null,
      },
    });
    event.currentTarget.reset();
  }

  return (
    <div className="flex flex-col gap-4">
      <MutationErrorAlert message={failure.message} />
      {configs.isPending ? (
        <div className="h-20 animate-pulse rounded-xl bg-neutral-200" aria-busy="true">
          <span className="sr-only">Loading score configs</span>
        </div>
      ) : configs.isError ? (
        <p role="alert" className="text-sm text-red-700">
          Score configs could not be loaded: {configs.error.message}. Reload the page to try again.
        </p>
      ) : configs.data.length === 0 ? (
        <p className="rounded-xl border border-dashed border-neutral-300 bg-white px-4 py-6 text-center text-sm text-neutral-600">
          No score configs yet. Scores of any name are accepted; add a config to validate one and to annotate with it.
        </p>
      ) : (
        <table
          className="w-full rounded-xl border border-neutral-200 bg-white text-sm"
          data-testid="score-configs-table"
        >
          <thead className="bg-neutral-50 text-left text-xs uppercase text-neutral-500">
            <tr>
              <th className="px-4 py-2 font-medium">Name</th>
              <th className="px-4 py-2 font-medium">Type</th>
              <th className="px-4 py-2 font-medium">Allowed values</th>
              <th className="px-4 py-2 font-medium">Key</th>
              <th className="px-4 py-2" />
            </tr>
          </thead>
          <tbody>
            {configs.data.map((config) => (
              <tr
                key={config.id}
                className={`border-t border-neutral-100 ${config.isArchived ? "text-neutral-400" : ""}`}
              >
                <td className="px-4 py-2 font-medium">{config.name}</td>
                <td className="px-4 py-2">{config.dataType.toLowerCase()}</td>
                <td className="px-4 py-2">
                  {config.dataType === "CATEGORICAL"
                    ? config.categories.map((category) => `${category.label}=${category.value}`).join(", ")
                    : config.dataType === "BOOLEAN"
                      ? "true / false"
                      : `${config.minValue ?? "−∞"} … ${config.maxValue ?? "∞"}`}
                </td>
                <td className="px-4 py-2 font-mono">{config.shortcut ?? ""}</td>
                <td className="px-4 py-2 text-right">
                  {canWrite ? (
                    <button
                      type="button"
                      className="text-xs underline"
                      onClick={() =>
                        setArchived.mutate({ projectId, configId: config.id, isArchived: !config.isArchived })
                      }
                    >
                      {config.isArchived ? "Restore" : "Archive"}
                    </button>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {canWrite ? (
        <form
          onSubmit={onCreate}
          className="grid grid-cols-2 gap-3 rounded-xl border border-neutral-200 bg-white p-4 text-sm md:grid-cols-4"
          data-testid="score-config-form"
        >
          <label className="flex flex-col gap-1">
            Name
            <input
              name="name"
              required
              className="rounded-md border border-neutral-300 px-2 py-1"
              placeholder="correctness"
            />
          </label>
          <label className="flex flex-col gap-1">
            Type
            <select
              name="dataType"
              value={dataType}
              onChange={(event) => setDataType(event.target.value as TDataType)}
              className="rounded-md border border-neutral-300 px-2 py-1"
            >
              <option value="NUMERIC">Numeric</option>
              <option value="BOOLEAN">Boolean</option>
              <option value="CATEGORICAL">Categorical</option>
            </select>
          </label>
          {dataType === "NUMERIC" ? (
            <>
              <label className="flex flex-col gap-1">
                Minimum
                <input
                  name="minValue"
                  type="number"
                  step="any"
                  className="rounded-md border border-neutral-300 px-2 py-1"
                />
              </label>
              <label className="flex flex-col gap-1">
                Maximum
                <input
                  name="maxValue"
                  type="number"
                  step="any"
                  className="rounded-md border border-neutral-300 px-2 py-1"
                />
              </label>
            </>
          ) : null}
          {dataType === "CATEGORICAL" ? (
            <label className="col-span-2 flex flex-col gap-1">
              Categories (label=value, comma separated)
              <input
                name="categories"
                required
                placeholder="correct=1, partially=0.5, wrong=0"
                className="rounded-md border border-neutral-300 px-2 py-1"
              />
            </label>
          ) : null}
          <label className="flex flex-col gap-1">
            Shortcut key
            <input
              name="shortcut"
              maxLength={1}
              className="rounded-md border border-neutral-300 px-2 py-1"
              placeholder="r"
            />
          </label>
          <label className="col-span-2 flex flex-col gap-1">
            Description
            <input name="description" className="rounded-md border border-neutral-300 px-2 py-1" />
          </label>
          <button
            type="submit"
            disabled={createConfig.isPending}
            className="self-end rounded-md bg-neutral-900 px-3 py-1.5 text-white disabled:opacity-50"
          >
            {createConfig.isPending ? "Adding…" : "Add score config"}
          </button>
        </form>
      ) : null}
    </div>
  );
}
