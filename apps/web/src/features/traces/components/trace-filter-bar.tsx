"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { type KeyboardEvent, useState } from "react";
import { useTRPC } from "../../../lib/trpc";
import { SPAN_KINDS, TIME_RANGE_PRESETS } from "../lib/trace-filter-query";
import { asList, asOne, useExplorerUrl } from "./use-explorer-url";

/** Every URL key the bar can set, with how its active chip reads. */
const FILTER_LABELS: Record<string, string> = {
  name: "name",
  tags: "tag",
  metadata: "metadata",
  userId: "user",
  sessionId: "session",
  environment: "env",
  release: "release",
  models: "model",
  kinds: "kind",
  status: "status",
  minDurationMs: "duration ≥ ms",
  maxDurationMs: "duration ≤ ms",
  minCost: "cost ≥ $",
  maxCost: "cost ≤ $",
  scores: "score",
  feedback: "feedback",
  lowConfidence: "low confidence",
  retrievalTopScoreBelow: "top retrieval score <",
  search: "text",
};

const splitList = (text: string) =>
  text
    .split(",")
    .map((item) => item.trim())
    .filter(Boolean);

const toLocalInput = (iso: string | undefined) => {
  if (!iso) return "";
  const date = new Date(iso);
  return Number.isNaN(date.getTime())
    ? ""
    : new Date(date.getTime() - date.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
};

function TextFilter(props: { label: string; param: string; placeholder?: string; isList?: boolean; testId?: string }) {
  const { query, setParam } = useExplorerUrl();
  const current = props.isList ? asList(query[props.param]).join(", ") : (asOne(query[props.param]) ?? "");
  const commit = (text: string) => {
    if (text === current) return;
    setParam(props.param, props.isList ? splitList(text) : text);
  };
  return (
    <label className="flex flex-col gap-1 text-xs text-neutral-600">
      {props.label}
      <input
        key={current}
        defaultValue={current}
        placeholder={props.placeholder}
        data-testid={props.testId ?? `filter-${props.param}`}
        className="rounded border border-neutral-300 bg-white px-2 py-1 text-sm text-neutral-900"
        onBlur={(event) => commit(event.currentTarget.value)}
        onKeyDown={(event: KeyboardEvent<HTMLInputElement>) => {
          if (event.key === "Enter") commit(event.currentTarget.value);
        }}
      />
    </label>
  );
}

function SelectFilter(props: { label: string; param: string; options: readonly string[] }) {
  const { query, setParam } = useExplorerUrl();
  return (
    <label className="flex flex-col gap-1 text-xs text-neutral-600">
      {props.label}
      <select
        value={asOne(query[props.param]) ?? ""}
        data-testid={`filter-${props.param}`}
        className="rounded border border-neutral-300 bg-white px-2 py-1 text-sm text-neutral-900"
        onChange={(event) => setParam(props.param, event.currentTarget.value || undefined)}
      >
        <option value="">any</option>
        {props.options.map((option) => (
          <option key={option} value={option}>
            {option}
          </option>
        ))}
      </select>
    </label>
  );
}

function TimeRange() {
  const { query, setParams } = useExplorerUrl();
  const from = asOne(query.from);
  const range = asOne(query.range) ?? (from ? undefined : "24h");
  const [isCustom, setIsCustom] = useState(Boolean(from));
  return (
    <div className="flex flex-wrap items-center gap-2" data-testid="time-range">
      <div className="flex overflow-hidden rounded border border-neutral-300 bg-white text-sm">
        {TIME_RANGE_PRESETS.map((preset) => (
          <button
            key={preset}
            type="button"
            className={`px-2.5 py-1 ${range === preset && !isCustom ? "bg-neutral-900 text-white" : "hover:bg-neutral-100"}`}
            onClick={() => {
              setIsCustom(false);
              setParams({ range: preset, from: undefined, to: undefined });
            }}
          >
            {preset}
          </button>
        ))}
        <button
          type="button"
          className={`px-2.5 py-1 ${isCustom ? "bg-neutral-900 text-white" : "hover:bg-neutral-100"}`}
          onClick={() => setIsCustom(true)}
        >
          custom
        </button>
      </div>
      {isCustom &&
        (["from", "to"] as const).map((key) => (
          <label key={key} className="flex items-center gap-1 text-xs text-neutral-600">
            {key}
            <input
              type="datetime-local"
              defaultValue={toLocalInput(asOne(query[key]))}
              className="rounded border border-neutral-300 bg-white px-2 py-1 text-sm"
              onChange={(event) => {
                const value = event.currentTarget.value;
                setParams({ [key]: value ? new Date(value).toISOString() : undefined, range: undefined });
              }}
            />
          </label>
        ))}
    </div>
  );
}

function KindFilter() {
  const { query, setParam } = useExplorerUrl();
  const kinds = asList(query.kinds);
  return (
    <fieldset className="col-span-full flex flex-wrap items-center gap-x-3 gap-y-1 text-xs text-neutral-600">
      <legend className="mb-1">has a span of kind</legend>
      {SPAN_KINDS.map((kind) => (
        <label key={kind} className="flex items-center gap-1">
          <input
            type="checkbox"
            checked={kinds.includes(kind)}
            onChange={(event) =>
              setParam("kinds", event.currentTarget.checked ? [...kinds, kind] : kinds.filter((k) => k !== kind))
            }
          />
          {kind}
        </label>
      ))}
    </fieldset>
  );
}

/** Active filters as removable chips; the whole set is in the URL. */
function ActiveFilters() {
  const { query, setParam, replaceAll } = useExplorerUrl();
  const chips = Object.entries(FILTER_LABELS).flatMap(([key, label]) =>
    asList(query[key]).map((value) => ({ key, label, value })),
  );
  if (chips.length === 0) return null;
  return (
    <div className="flex flex-wrap items-center gap-1.5" data-testid="active-filters">
      {chips.map((chip) => (
        <span
          key={`${chip.key}:${chip.value}`}
          className="inline-flex items-center gap-1 rounded-full bg-indigo-50 px-2 py-0.5 text-xs text-indigo-800"
        >
          <span className="text-indigo-500">{chip.label}</span> {chip.value}
          <button
            type="button"
            aria-label={`Remove ${chip.label} ${chip.value}`}
            className="ml-0.5 text-indigo-400 hover:text-indigo-900"
            onClick={() =>
              setParam(
                chip.key,
                asList(query[chip.key]).filter((value) => value !== chip.value),
              )
            }
          >
            ×
          </button>
        </span>
      ))}
      <button
        type="button"
        className="text-xs text-neutral-500 underline"
        onClick={() => {
          const keep = new URLSearchParams();
          for (const key of ["range", "from", "to", "cols", "sortBy", "sortDir"]) {
            for (const value of asList(query[key])) keep.append(key, value);
          }
          replaceAll(keep.toString());
        }}
      >
        clear all
      </button>
    </div>
  );
}

const OPERATOR_TEXT = { lt: "<", lte: "≤", eq: "=" } as const;

/**
 * "Low confidence" as the project defines it (Scores → Settings): a toggle for the
 * `lowConfidence` filter, showing the rules it stands for, or where to define them.
 */
function LowConfidenceToggle({ projectId }: { projectId: string }) {
  const trpc = useTRPC();
  const { query, setParam } = useExplorerUrl();
  const settings = useQuery(trpc.score.settings.queryOptions({ projectId }));
  const rules = settings.data?.lowConfidenceRules ?? [];
  const isOn = asOne(query.lowConfidence) !== undefined;
  if (settings.isSuccess && rules.length === 0 && !isOn) {
    return (
      <Link
        href={`/project/${projectId}/scores`}
        className="self-end pb-1 text-xs text-neutral-500 underline"
        data-testid="low-confidence-define"
      >
        Define low confidence
      </Link>
    );
  }
  const description = rules
    .map((rule) => `${rule.scoreName} ${OPERATOR_TEXT[rule.operator]} ${rule.threshold}`)
    .join(" or ");
  return (
    <button
      type="button"
      aria-pressed={isOn}
      disabled={settings.isPending}
      title={description ? `Traces with ${description}` : "Loading the project's low-confidence rules"}
      data-testid="low-confidence-toggle"
      onClick={() => setParam("lowConfidence", isOn ? undefined : "true")}
      className={`rounded border px-2.5 py-1 text-sm ${isOn ? "border-amber-500 bg-amber-50 text-amber-900" : "border-neutral-300 hover:bg-neutral-100"}`}
    >
      Low confidence
    </button>
  );
}

/** The explorer's filters: time range, free text, and the full set behind "More filters". */
export function TraceFilterBar({ projectId }: { projectId: string }) {
  const { query } = useExplorerUrl();
  const advancedKeys = Object.keys(FILTER_LABELS).filter((key) => key !== "search" && key !== "tags");
  const [isOpen, setIsOpen] = useState(advancedKeys.some((key) => query[key] !== undefined));
  return (
    <div className="flex flex-col gap-3 rounded-lg border border-neutral-200 bg-white p-3">
      <div className="flex flex-wrap items-end gap-3">
        <TimeRange />
        <div className="min-w-48 flex-1">
          <TextFilter label="Search input/output" param="search" placeholder="text in any span's input or output" />
        </div>
        <div className="min-w-40">
          <TextFilter label="Tags (all of)" param="tags" placeholder="domain:hr, intent:…" isList />
        </div>
        <LowConfidenceToggle projectId={projectId} />
        <button
          type="button"
          className="rounded border border-neutral-300 px-2.5 py-1 text-sm hover:bg-neutral-100"
          aria-expanded={isOpen}
          data-testid="more-filters"
          onClick={() => setIsOpen(!isOpen)}
        >
          {isOpen ? "Fewer filters" : "More filters"}
        </button>
      </div>
      {isOpen && (
        <div className="grid grid-cols-2 gap-3 md:grid-cols-4 lg:grid-cols-6" data-testid="filter-panel">
          <TextFilter label="Name" param="name" placeholder="exact trace name" />
          <TextFilter label="User" param="userId" />
          <TextFilter label="Session" param="sessionId" />
          <TextFilter label="Environment" param="environment" placeholder="prod" />
          <TextFilter label="Release" param="release" />
          <TextFilter label="Models (any of)" param="models" placeholder="gpt-4o, …" isList />
          <SelectFilter label="Status" param="status" options={["error", "ok"]} />
          <SelectFilter label="Feedback" param="feedback" options={["negative", "positive"]} />
          <TextFilter label="Min duration (ms)" param="minDurationMs" />
          <TextFilter label="Max duration (ms)" param="maxDurationMs" />
          <TextFilter label="Min cost ($)" param="minCost" />
          <TextFilter label="Max cost ($)" param="maxCost" />
          <div className="col-span-2">
            <TextFilter
              label="Scores (name<x, name>=x, x<=name<y)"
              param="scores"
              placeholder="confidence<0.5"
              isList
            />
          </div>
          <TextFilter label="Top retrieval score below" param="retrievalTopScoreBelow" placeholder="0.5" />
          <div className="col-span-2">
            <TextFilter label="Metadata (key=value)" param="metadata" placeholder="tenant=acme" isList />
          </div>
          <KindFilter />
        </div>
      )}
      <ActiveFilters />
    </div>
  );
}
