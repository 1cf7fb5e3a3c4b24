"use client";

import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "../../../lib/trpc";
import { AnnotationPanel } from "../../scores";

type TTarget = "trace" | "span";

/**
 * Annotation beside the trace: the scores feature's AnnotationPanel, aimed at the whole
 * trace (the usual target of feedback) or at the selected span. A saved annotation
 * refreshes the trace's scores shown above it.
 */
export function TraceAnnotationSlot(props: { projectId: string; traceId: string; spanId: string | null }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [target, setTarget] = useState<TTarget>("trace");
  const spanId = target === "span" && props.spanId ? props.spanId : undefined;

  return (
    <div className="flex flex-col gap-2">
      <div className="flex items-center justify-between gap-2">
        <h3 className="text-xs font-semibold uppercase tracking-wide text-neutral-500">Annotate</h3>
        <fieldset className="flex rounded border border-neutral-200 text-[11px]" aria-label="Annotation target">
          {(["trace", "span"] as const).map((option) => (
            <button
              key={option}
              type="button"
              data-testid={`annotation-target-${option}`}
              aria-pressed={target === option}
              disabled={option === "span" && !props.spanId}
              onClick={() => setTarget(option)}
              className={`px-2 py-0.5 disabled:opacity-40 ${target === option ? "bg-neutral-900 text-white" : "text-neutral-600"}`}
            >
              {option === "trace" ? "Trace" : "Selected span"}
            </button>
          ))}
        </fieldset>
      </div>
      <AnnotationPanel
        projectId={props.projectId}
        traceId={props.traceId}
        {...(spanId ? { spanId } : {})}
        onAnnotated={() => void queryClient.invalidateQueries(trpc.trace.tree.pathFilter())}
      />
    </div>
  );
}
