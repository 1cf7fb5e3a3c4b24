"use client";

import type { z } from "zod";
import { formatScore, formatTime } from "../lib/format";
import type { ZKpiEvent, ZScore } from "../server/trace-schemas";
import { TraceAnnotationSlot } from "./trace-annotation-slot";

/** Scores, feedback and KPI events linked to the trace, read-only, beside the trace. */
export function TraceSidePanel(props: {
  projectId: string;
  traceId: string;
  selectedSpanId: string | null;
  scores: z.output<typeof ZScore>[];
  kpiEvents: z.output<typeof ZKpiEvent>[];
  onSelectSpan: (spanId: string) => void;
}) {
  return (
    <aside
      className="flex flex-col gap-4 rounded-lg border border-neutral-200 bg-white p-3 text-sm"
      data-testid="trace-side-panel"
    >
      <section className="flex flex-col gap-2" data-testid="trace-scores-panel">
        <h3 className="text-xs font-semibold uppercase tracking-wide text-neutral-500">Scores and feedback</h3>
        {props.scores.length === 0 ? (
          <p className="text-xs text-neutral-500">
            No scores yet. Evaluators, annotations and user feedback appear here.
          </p>
        ) : (
          <ul className="flex flex-col gap-1.5">
            {props.scores.map((score) => (
              <li key={score.id} className="rounded border border-neutral-100 p-1.5" data-testid="trace-score">
                <div className="flex items-center justify-between gap-2">
                  <span className="font-medium">{score.name}</span>
                  <span className="tabular-nums">{score.label ?? formatScore(score.value)}</span>
                </div>
                <div className="flex flex-wrap gap-x-2 text-[11px] text-neutral-500">
                  <span>{score.source}</span>
                  <span>{formatTime(score.timestamp)}</span>
                  {score.spanId && (
                    <button type="button" className="underline" onClick={() => props.onSelectSpan(score.spanId ?? "")}>
                      on span {score.spanId.slice(0, 8)}
                    </button>
                  )}
                </div>
                {score.comment && <p className="mt-1 text-xs text-neutral-700">{score.comment}</p>}
              </li>
            ))}
          </ul>
        )}
      </section>
      <section className="flex flex-col gap-2" data-testid="trace-kpi-panel">
        <h3 className="text-xs font-semibold uppercase tracking-wide text-neutral-500">KPI events</h3>
        {props.kpiEvents.length === 0 ? (
          <p className="text-xs text-neutral-500">No business events linked to this trace or its session.</p>
        ) : (
          <ul className="flex flex-col gap-1">
            {props.kpiEvents.map((event) => (
              <li key={event.id} className="flex items-center justify-between gap-2" data-testid="trace-kpi-event">
                <span>{event.name}</span>
                <span className="tabular-nums">{event.value}</span>
                <span className="text-[11px] text-neutral-500">{formatTime(event.timestamp)}</span>
              </li>
            ))}
          </ul>
        )}
      </section>
      <section className="flex flex-col gap-2" data-testid="annotation-slot">
        <TraceAnnotationSlot projectId={props.projectId} traceId={props.traceId} spanId={props.selectedSpanId} />
      </section>
    </aside>
  );
}
