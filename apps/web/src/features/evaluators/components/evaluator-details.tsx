"use client";

import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "../../../lib/trpc";

const DECISION_LABELS: Record<string, string> = {
  filtered_out: "Filter did not match",
  sampled_out: "Outside the sample",
  queued: "Queued",
  scored: "Scored",
  failed: "Failed",
};

const STATUS_STYLES: Record<string, string> = {
  QUEUED: "bg-neutral-100 text-neutral-700",
  RUNNING: "bg-blue-100 text-blue-800",
  SUCCEEDED: "bg-green-100 text-green-800",
  FAILED: "bg-red-100 text-red-800",
};

/** Why an evaluator fires or not (traces seen, matched, each outcome with its reason) and its recent runs. */
export function EvaluatorDetails({ projectId, evaluatorId }: { projectId: string; evaluatorId: string }) {
  const trpc = useTRPC();
  const explanation = useQuery(trpc.evaluator.explain.queryOptions({ projectId, evaluatorId, days: 7 }));
  const runs = useQuery(trpc.evaluator.runs.queryOptions({ projectId, evaluatorId, limit: 20 }));
  return (
    <div className="grid gap-4 md:grid-cols-2" data-testid="evaluator-details">
      <div className="flex flex-col gap-2">
        <h4 className="text-xs font-semibold uppercase text-neutral-500">Last 7 days</h4>
        {explanation.isPending ? (
          <div className="h-16 animate-pulse rounded bg-neutral-100" aria-busy="true" />
        ) : explanation.isError ? (
          <p role="alert" className="text-red-700">
            {explanation.error.message}
          </p>
        ) : explanation.data.seen === 0 ? (
          <p className="text-neutral-600">
            No trace has reached this evaluator yet. Traces are evaluated once they have been quiet for a while after
            their last span arrives; check that traces are being sent to this project.
          </p>
        ) : (
          <>
            <p data-testid="evaluator-explain-summary">
              {explanation.data.seen} traces seen, {explanation.data.matched} matched the filter.
            </p>
            <ul className="flex flex-col gap-1">
              {explanation.data.decisions.map((row) => (
                <li key={`${row.decision}-${row.reason}`} className="flex justify-between gap-2">
                  <span>
                    {DECISION_LABELS[row.decision] ?? row.decision}
                    {row.reason ? <span className="text-neutral-500"> — {row.reason}</span> : null}
                  </span>
                  <span className="tabular-nums">{row.traces}</span>
                </li>
              ))}
            </ul>
          </>
        )}
      </div>
      <div className="flex flex-col gap-2">
        <h4 className="text-xs font-semibold uppercase text-neutral-500">Recent runs</h4>
        {runs.isPending ? (
          <div className="h-16 animate-pulse rounded bg-neutral-100" aria-busy="true" />
        ) : runs.isError ? (
          <p role="alert" className="text-red-700">
            {runs.error.message}
          </p>
        ) : runs.data.length === 0 ? (
          <p className="text-neutral-600">No runs yet.</p>
        ) : (
          <ul className="flex flex-col gap-1">
            {runs.data.map((run) => (
              <li key={run.id} className="flex flex-col">
                <span className="flex items-center gap-2">
                  <span className={`rounded px-1.5 text-xs ${STATUS_STYLES[run.status] ?? ""}`}>
                    {run.status.toLowerCase()}
                  </span>
                  <span className="font-mono text-xs">{run.traceId.slice(0, 12)}…</span>
                  {run.judgeTraceId ? (
                    <span className="text-xs text-neutral-500">judge trace {run.judgeTraceId.slice(0, 8)}…</span>
                  ) : null}
                </span>
                {run.error ? <span className="text-xs text-red-700">{run.error}</span> : null}
              </li>
            ))}
          </ul>
        )}
      </div>
    </div>
  );
}
