"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { LoadErrorBox, LoadingBox, TableHead } from "../../../components/list-parts";
import { useTRPC } from "../../../lib/trpc";
import { RangePicker } from "../../sessions/components/range-picker";
import { formatCost, formatTime, formatTokens } from "../../traces";
import type { TTimeRangePreset } from "../../traces/lib/trace-filter-query";

/** The application's end users: volume, cost and feedback each, linked to their traces. */
export function UsersList({ projectId }: { projectId: string }) {
  const trpc = useTRPC();
  const [range, setRange] = useState<TTimeRangePreset>("7d");
  const users = useQuery(trpc.user.list.queryOptions({ projectId, range }));
  return (
    <div className="flex flex-col gap-3">
      <div className="flex items-center justify-between">
        <h1 className="text-xl font-semibold tracking-tight">Users</h1>
        <RangePicker value={range} onChange={setRange} />
      </div>
      {users.isPending ? (
        <LoadingBox>Loading users…</LoadingBox>
      ) : users.isError ? (
        <LoadErrorBox what="Users" message={users.error.message} />
      ) : users.data.length === 0 ? (
        <div
          className="rounded-lg border border-neutral-200 bg-white p-6 text-sm text-neutral-600"
          data-testid="users-empty"
        >
          No users in this range. Set <code className="font-mono">user.id</code> on your spans to see volume, cost and
          feedback per user.
        </div>
      ) : (
        <div className="overflow-x-auto rounded-lg border border-neutral-200 bg-white">
          <table className="w-full text-left text-sm" data-testid="users-table">
            <TableHead labels={["User", "Traces", "Sessions", "Tokens", "Cost", "Errors", "Feedback", "Last seen"]} />
            <tbody className="divide-y divide-neutral-100">
              {users.data.map((user) => (
                <tr key={user.userId} data-testid="user-row">
                  <td className="px-3 py-2 font-medium">
                    <Link
                      className="hover:underline"
                      href={`/project/${projectId}/traces?userId=${encodeURIComponent(user.userId)}&range=${range}`}
                    >
                      {user.userId}
                    </Link>
                  </td>
                  <td className="px-3 py-2 tabular-nums">{user.traceCount}</td>
                  <td className="px-3 py-2 tabular-nums">{user.sessionCount}</td>
                  <td className="px-3 py-2 tabular-nums">{formatTokens(user.totalTokens)}</td>
                  <td className="px-3 py-2 tabular-nums">{formatCost(user.totalCost)}</td>
                  <td className="px-3 py-2 tabular-nums">{user.errorTraceCount || "—"}</td>
                  <td className="px-3 py-2 tabular-nums">
                    <span className="text-emerald-700">+{user.positiveFeedback}</span> /{" "}
                    <span className="text-red-700">−{user.negativeFeedback}</span>
                  </td>
                  <td className="whitespace-nowrap px-3 py-2 text-neutral-500">{formatTime(user.lastSeen)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
