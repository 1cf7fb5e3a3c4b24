"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { LoadErrorBox, LoadingBox, TableHead } from "../../../components/list-parts";
import { useTRPC } from "../../../lib/trpc";
import { formatCost, formatTime, formatTokens } from "../../traces";
import type { TTimeRangePreset } from "../../traces/lib/trace-filter-query";
import { RangePicker } from "./range-picker";

/** Conversations active in the window, most recent first. */
export function SessionsList({ projectId }: { projectId: string }) {
  const trpc = useTRPC();
  const [range, setRange] = useState<TTimeRangePreset>("7d");
  const sessions = useQuery(trpc.session.list.queryOptions({ projectId, range }));
  return (
    <div className="flex flex-col gap-3">
      <div className="flex items-center justify-between">
        <h1 className="text-xl font-semibold tracking-tight">Sessions</h1>
        <RangePicker value={range} onChange={setRange} />
      </div>
      {sessions.isPending ? (
        <LoadingBox>Loading sessions…</LoadingBox>
      ) : sessions.isError ? (
        <LoadErrorBox what="Sessions" message={sessions.error.message} />
      ) : sessions.data.length === 0 ? (
        <div
          className="rounded-lg border border-neutral-200 bg-white p-6 text-sm text-neutral-600"
          data-testid="sessions-empty"
        >
          No sessions in this range. Set <code className="font-mono">session.id</code> (or{" "}
          <code className="font-mono">gen_ai.conversation.id</code>) on your spans to group a conversation's traces.
        </div>
      ) : (
        <div className="overflow-x-auto rounded-lg border border-neutral-200 bg-white">
          <table className="w-full text-left text-sm" data-testid="sessions-table">
            <TableHead
              labels={["Session", "Last activity", "Traces", "Users", "Tokens", "Cost", "Errors", "Feedback"]}
            />
            <tbody className="divide-y divide-neutral-100">
              {sessions.data.map((session) => (
                <tr key={session.sessionId} data-testid="session-row">
                  <td className="px-3 py-2 font-medium">
                    <Link
                      className="hover:underline"
                      href={`/project/${projectId}/sessions/${encodeURIComponent(session.sessionId)}`}
                    >
                      {session.sessionId}
                    </Link>
                  </td>
                  <td className="whitespace-nowrap px-3 py-2 text-neutral-500">{formatTime(session.lastSeen)}</td>
                  <td className="px-3 py-2 tabular-nums">{session.traceCount}</td>
                  <td className="px-3 py-2 text-neutral-600">{session.userIds.join(", ") || "—"}</td>
                  <td className="px-3 py-2 tabular-nums">{formatTokens(session.totalTokens)}</td>
                  <td className="px-3 py-2 tabular-nums">{formatCost(session.totalCost)}</td>
                  <td className="px-3 py-2 tabular-nums">{session.errorTraceCount || "—"}</td>
                  <td className="px-3 py-2 tabular-nums">
                    <span className="text-emerald-700">+{session.positiveFeedback}</span> /{" "}
                    <span className="text-red-700">−{session.negativeFeedback}</span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
