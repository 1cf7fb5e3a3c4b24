"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useTRPC } from "../../../lib/trpc";
import { formatCost, formatDuration, formatTime } from "../../traces";

/** One conversation: its traces in order, each turn's input and output, linked to the trace. */
export function SessionTurns({ projectId, sessionId }: { projectId: string; sessionId: string }) {
  const trpc = useTRPC();
  const turns = useQuery(trpc.session.turns.queryOptions({ projectId, sessionId }));
  return (
    <div className="flex flex-col gap-3">
      <Link href={`/project/${projectId}/sessions`} className="text-xs text-neutral-500 hover:underline">
        ← Sessions
      </Link>
      <h1 className="text-xl font-semibold tracking-tight">Session {sessionId}</h1>
      {turns.isPending ? (
        <div className="rounded-lg border border-neutral-200 bg-white p-6 text-sm text-neutral-500">
          Loading conversation…
        </div>
      ) : turns.isError ? (
        <div className="rounded-lg border border-red-200 bg-red-50 p-6 text-sm text-red-700" role="alert">
          The session could not be loaded: {turns.error.message}. Reload the page.
        </div>
      ) : turns.data.length === 0 ? (
        <div className="rounded-lg border border-neutral-200 bg-white p-6 text-sm text-neutral-600">
          No traces of this session in the last 30 days.
        </div>
      ) : (
        <ol className="flex flex-col gap-3" data-testid="session-turns">
          {turns.data.map((turn, index) => (
            <li
              key={turn.trace.traceId}
              className="rounded-lg border border-neutral-200 bg-white p-3 text-sm"
              data-testid="session-turn"
            >
              <div className="mb-2 flex flex-wrap items-center gap-3 text-xs text-neutral-500">
                <span className="font-semibold text-neutral-700">Turn {index + 1}</span>
                <span>{formatTime(turn.trace.startTime)}</span>
                <span>{formatDuration(turn.trace.durationMs)}</span>
                <span>{formatCost(turn.trace.totalCost)}</span>
                {turn.trace.errorCount > 0 && <span className="text-red-700">error</span>}
                <Link className="ml-auto underline" href={`/project/${projectId}/traces/${turn.trace.traceId}`}>
                  Open trace
                </Link>
              </div>
              {turn.input && (
                <div className="mb-2 rounded border border-sky-200 bg-sky-50 p-2 whitespace-pre-wrap break-words">
                  {turn.input}
                </div>
              )}
              {turn.output && (
                <div className="rounded border border-violet-200 bg-violet-50 p-2 whitespace-pre-wrap break-words">
                  {turn.output}
                </div>
              )}
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}
