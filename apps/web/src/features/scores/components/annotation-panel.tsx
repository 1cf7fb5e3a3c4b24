"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { useTRPC } from "../../../lib/trpc";
import { annotationOptions, isSelectedOption, type TAnnotationOption } from "../lib/annotation-options";

export interface TAnnotationPanelProps {
  projectId: string;
  traceId: string;
  /** Annotate one span instead of the whole trace. */
  spanId?: string;
  /** Called after each saved annotation (e.g. to refresh a queue's progress). */
  onAnnotated?: () => void;
}

function isTypingTarget(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName);
}

/**
 * Scores a trace or span with the project's score configs. Keyboard: ↑/↓ (or a config's
 * own letter) picks the config, 1–9 picks an option and saves it, Enter focuses a numeric
 * value, C focuses the comment. Each reviewer has one annotation per config and target;
 * choosing again replaces it.
 */
export function AnnotationPanel({ projectId, traceId, spanId, onAnnotated }: TAnnotationPanelProps) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const target = useMemo(() => ({ projectId, traceId, ...(spanId ? { spanId } : {}) }), [projectId, traceId, spanId]);
  const configs = useQuery(trpc.score.configs.queryOptions({ projectId, includeArchived: false }));
  const mine = useQuery(trpc.score.myAnnotations.queryOptions(target));
  const [activeIndex, setActiveIndex] = useState(0);
  const [comment, setComment] = useState("");
  const [numericDraft, setNumericDraft] = useState("");
  const [errorMessage, setErrorMessage] = useState<string | null>(null);
  const commentRef = useRef<HTMLTextAreaElement>(null);
  const numericRef = useRef<HTMLInputElement>(null);

  const annotate = useMutation(
    trpc.score.annotate.mutationOptions({
      onSuccess: async (_result, variables) => {
        setErrorMessage(null);
        // The comment went out with this annotation; the next choice starts without one.
        if (variables.comment) setComment("");
        await Promise.all([
          queryClient.invalidateQueries({ queryKey: trpc.score.myAnnotations.queryKey(target) }),
          queryClient.invalidateQueries({ queryKey: trpc.score.forTrace.queryKey({ projectId, traceId }) }),
        ]);
        onAnnotated?.();
      },
      onError: (error) => setErrorMessage(error.message),
    }),
  );

  const configList = configs.data ?? [];
  const activeConfig = configList[Math.min(activeIndex, Math.max(configList.length - 1, 0))];

  const choose = useCallback(
    (configId: string, value: TAnnotationOption["value"]) => {
      annotate.mutate({ ...target, configId, value, ...(comment.trim() ? { comment: comment.trim() } : {}) });
    },
    [annotate, target, comment],
  );

  useEffect(() => {
    function onKeyDown(event: KeyboardEvent) {
      if (event.metaKey || event.ctrlKey || event.altKey || isTypingTarget(event.target)) return;
      if (configList.length === 0 || mine.isPending) return;
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        const step = event.key === "ArrowDown" ? 1 : -1;
        setActiveIndex((index) => (index + step + configList.length) % configList.length);
        return;
      }
      if (event.key === "c" || event.key === "C") {
        event.preventDefault();
        commentRef.current?.focus();
        return;
      }
      const byShortcut = configList.findIndex((config) => config.shortcut === event.key.toLowerCase());
      if (byShortcut >= 0 && event.key.toLowerCase() !== "c") {
        event.preventDefault();
        setActiveIndex(byShortcut);
        return;
      }
      if (!activeConfig) return;
      if (event.key === "Enter" && annotationOptions(activeConfig) === null) {
        event.preventDefault();
        numericRef.current?.focus();
        return;
      }
      if (/^[1-9]$/.test(event.key)) {
        const option = annotationOptions(activeConfig)?.[Number(event.key) - 1];
        if (option) {
          event.preventDefault();
          choose(activeConfig.id, option.value);
        }
      }
    }
    window.addEventListener("keydown", onKeyDown);
    return () => window.removeEventListener("keydown", onKeyDown);
  }, [configList, activeConfig, choose, mine.isPending]);

  // Choices wait for the reviewer's existing annotations: a refetch requested while that
  // first load is in flight would reuse it and show the pre-choice state.
  if (configs.isPending || mine.isPending) {
    return (
      <div className="h-32 animate-pulse rounded-xl bg-neutral-200" aria-busy="true">
        <span className="sr-only">Loading score configs</span>
      </div>
    );
  }
  if (configs.isError || mine.isError) {
    return (
      <p role="alert" className="text-sm text-red-700">
        Annotations could not be loaded: {(configs.error ?? mine.error)?.message}. Reload the page to try again.
      </p>
    );
  }
  if (configList.length === 0) {
    return (
      <p
        className="rounded-xl border border-dashed border-neutral-300 bg-white px-4 py-6 text-center text-sm text-neutral-600"
        data-testid="annotation-no-configs"
      >
        This project has no score configs yet. Add one under{" "}
        <a className="underline" href={`/project/${projectId}/scores`}>
          Scores
        </a>{" "}
        to start annotating.
      </p>
    );
  }

  const scoreOf = (name: string) => mine.data?.find((score) => score.name === name);

  return (
    <section
      className="flex flex-col gap-3 rounded-xl border border-neutral-200 bg-white p-4"
      aria-label="Annotate"
      data-testid="annotation-panel"
    >
      <div className="flex items-baseline justify-between">
        <h2 className="text-sm font-semibold">Annotate {spanId ? "span" : "trace"}</h2>
        <span className="text-xs text-neutral-500">↑/↓ config · 1–9 choose · C comment</span>
      </div>
      {errorMessage ? (
        <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-700">
          {errorMessage}
        </p>
      ) : null}
      <ul className="flex flex-col gap-2">
        {configList.map((config, index) => {
          const options = annotationOptions(config);
          const current = scoreOf(config.name);
          const isActive = config.id === activeConfig?.id;
          return (
            <li
              key={config.id}
              data-testid={`annotation-config-${config.name}`}
              data-active={isActive ? "true" : "false"}
              className={`flex flex-col gap-2 rounded-lg border px-3 py-2 ${isActive ? "border-neutral-900" : "border-neutral-200"}`}
            >
              <button
                type="button"
                className="flex items-center justify-between text-left text-sm"
                onClick={() => setActiveIndex(index)}
              >
                <span className="font-medium">
                  {config.name}
                  {config.shortcut ? (
                    <kbd className="ml-2 rounded border border-neutral-300 px-1 text-xs text-neutral-500">
                      {config.shortcut}
                    </kbd>
                  ) : null}
                </span>
                <span className="text-xs text-neutral-500" data-testid={`annotation-current-${config.name}`}>
                  {current ? `yours: ${current.stringValue ?? current.value}` : "not scored"}
                </span>
              </button>
              {options ? (
                <div className="flex flex-wrap gap-2">
                  {options.map((option, optionIndex) => {
                    const isSelected = isSelectedOption(option, current);
                    return (
                      <button
                        key={option.label}
                        type="button"
                        aria-pressed={isSelected}
                        data-testid={`annotation-option-${config.name}-${option.label}`}
                        disabled={annotate.isPending}
                        onClick={() => {
                          setActiveIndex(index);
                          choose(config.id, option.value);
                        }}
                        className="rounded-md border border-neutral-300 px-2 py-1 text-sm aria-pressed:border-neutral-900 aria-pressed:bg-neutral-900 aria-pressed:text-white"
                      >
                        {isActive ? <span className="mr-1 text-xs opacity-60">{optionIndex + 1}</span> : null}
                        {option.label}
                      </button>
                    );
                  })}
                </div>
              ) : (
                <form
                  className="flex items-center gap-2"
                  onSubmit={(event) => {
                    event.preventDefault();
                    const value = Number(numericDraft);
                    if (numericDraft.trim() === "" || !Number.isFinite(value)) {
                      setErrorMessage(`Enter a number for ${config.name}`);
                      return;
                    }
                    choose(config.id, value);
                    setNumericDraft("");
                  }}
                >
                  <input
                    ref={isActive ? numericRef : undefined}
                    type="number"
                    step="any"
                    min={config.minValue ?? undefined}
                    max={config.maxValue ?? undefined}
                    value={isActive ? numericDraft : ""}
                    onFocus={() => setActiveIndex(index)}
                    onChange={(event) => setNumericDraft(event.target.value)}
                    placeholder={
                      config.minValue !== null && config.maxValue !== null
                        ? `${config.minValue}–${config.maxValue}`
                        : "value"
                    }
                    aria-label={`${config.name} value`}
                    data-testid={`annotation-input-${config.name}`}
                    className="w-32 rounded-md border border-neutral-300 px-2 py-1 text-sm"
                  />
                  <button type="submit" className="rounded-md bg-neutral-900 px-2 py-1 text-sm text-white">
                    Save
                  </button>
                </form>
              )}
            </li>
          );
        })}
      </ul>
      <label className="flex flex-col gap-1 text-xs text-neutral-600">
        Comment (sent with your next choice)
        <textarea
          ref={commentRef}
          value={comment}
          onChange={(event) => setComment(event.target.value)}
          onKeyDown={(event) => {
            if (event.key === "Escape") event.currentTarget.blur();
          }}
          rows={2}
          data-testid="annotation-comment"
          className="rounded-md border border-neutral-300 px-2 py-1 text-sm text-neutral-900"
        />
      </label>
    </section>
  );
}
