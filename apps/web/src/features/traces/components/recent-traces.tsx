"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useTRPC } from "../../../lib/trpc";
import { TracesEmptyState } from "../../projects/components/traces-empty-state";
import { LatestRefusalNotice } from "../../usage";

const formatDuration = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`);
const formatCost = (usd: number) => (usd === 0 ? "—" : `$${usd < 0.01 ? usd.toFixed(5) : usd.toFixed(3)}`);

/** The project's newest traces; the empty state explains how to send the first one. */
export function RecentTraces({ projectId, otlpEndpoint }: { projectId: string; otlpEndpoint: string }) {
  const trpc = useTRPC();
  const traces = useQuery(trpc.trace.recent.queryOptions({ projectId, limit: 20 }));

  if (traces.isPending) {
    return (
      <div
        className="rounded-lg border border-neutral-200 bg-white p-6 text-sm text-neutral-500"
        data-testid="traces-loading"
      >
        Loading traces…
      </div>
    );
  }
  if (traces.isError) {
    return (
      <div className="rounded-lg border border-red-200 bg-red-50 p-6 text-sm text-red-700" role="alert">
        Traces could not be loaded: {traces.error.message}. Reload the page; if it persists, check /api/health.
      </div>
    );
  }
  if (traces.data.data.length === 0) {
    return (
      <TracesEmptyState otlpEndpoint={otlpEndpoint}>
        <LatestRefusalNotice projectId={projectId} />
      </TracesEmptyState>
    );
  }

  return (
    <div className="overflow-x-auto rounded-lg border border-neutral-200 bg-white">
      <table className="w-full text-left text-sm" data-testid="recent-traces">
        <thead className="border-b border-neutral-200 bg-neutral-50 text-xs uppercase tracking-wide text-neutral-500">
          <tr>
            <th className="px-4 py-2 font-medium">Time</th>
            <th className="px-4 py-2 font-medium">Name</th>
            <th className="px-4 py-2 font-medium">Duration</th>
            <th className="px-4 py-2 font-medium">Spans</th>
            <th className="px-4 py-2 font-medium">Tokens</th>
            <th className="px-4 py-2 font-medium">Cost</th>
            <th className="px-4 py-2 font-medium">User</th>
            <th className="px-4 py-2 font-medium">Tags</th>
            <th className="px-4 py-2 font-medium">Status</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-neutral-100">
          {traces.data.data.map((trace) => (
            <tr key={trace.traceId} data-testid="trace-row">
              <td className="whitespace-nowrap px-4 py-2 text-neutral-500">
                {new Date(trace.startTime).toLocaleString()}
              </td>
              <td className="px-4 py-2 font-medium">
                <Link className="hover:underline" href={`/project/${projectId}/traces/${trace.traceId}`}>
                  {trace.name || trace.traceId.slice(0, 8)}
                </Link>
              </td>
              <td className="whitespace-nowrap px-4 py-2 tabular-nums">{formatDuration(trace.durationMs)}</td>
              <td className="px-4 py-2 tabular-nums">{trace.spanCount}</td>
              <td className="px-4 py-2 tabular-nums">{trace.totalTokens || "—"}</td>
              <td className="px-4 py-2 tabular-nums">{formatCost(trace.totalCost)}</td>
              <td className="px-4 py-2 text-neutral-600">{trace.userId ?? "—"}</td>
              <td className="px-4 py-2">
                <div className="flex flex-wrap gap-1">
                  {trace.tags.map((tag) => (
                    <span key={tag} className="rounded bg-neutral-100 px-1.5 py-0.5 text-xs text-neutral-700">
                      {tag}
                    </span>
                  ))}
                </div>
              </td>
              <td className="px-4 py-2">
                {trace.errorCount > 0 ? (
                  <span className="rounded bg-red-100 px-1.5 py-0.5 text-xs font-medium text-red-700">error</span>
                ) : (
                  <span className="rounded bg-emerald-50 px-1.5 py-0.5 text-xs font-medium text-emerald-700">ok</span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
