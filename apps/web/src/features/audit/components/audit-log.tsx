"use client";

import { useInfiniteQuery } from "@tanstack/react-query";
import { useTRPC } from "../../../lib/trpc";

const ACTION_LABELS: Record<string, string> = {
  "user.signed_in": "Signed in",
  "user.password_changed": "Changed password",
  "org.created": "Created the organization",
  "member.invited": "Invited a member",
  "invite.revoked": "Revoked an invite",
  "member.joined": "Joined",
  "member.role_changed": "Changed a member's role",
  "member.removed": "Removed a member",
  "project.created": "Created a project",
  "project.renamed": "Renamed a project",
  "project.deleted": "Deleted a project",
  "api_key.created": "Created an API key",
  "api_key.revoked": "Revoked an API key",
};

function describeMetadata(metadata: Record<string, unknown> | null): string {
  if (!metadata) return "";
  return Object.entries(metadata)
    .filter(([, value]) => value !== null && value !== undefined)
    .map(([key, value]) => `${key}: ${String(value)}`)
    .join(" · ");
}

/** The organization's audit log, newest first, loaded a page at a time. */
export function AuditLog({ orgId }: { orgId: string }) {
  const trpc = useTRPC();
  const events = useInfiniteQuery(
    trpc.audit.list.infiniteQueryOptions(
      { orgId, limit: 50 },
      { getNextPageParam: (page) => page.nextCursor ?? undefined },
    ),
  );

  if (events.isPending) {
    return (
      <div className="h-40 animate-pulse rounded-xl bg-neutral-200" aria-busy="true">
        <span className="sr-only">Loading audit log</span>
      </div>
    );
  }
  if (events.isError) {
    return (
      <p role="alert" className="text-sm text-red-700">
        The audit log could not be loaded: {events.error.message}
      </p>
    );
  }
  const rows = events.data.pages.flatMap((page) => page.events);
  if (rows.length === 0) {
    return <p className="text-sm text-neutral-600">No events yet.</p>;
  }
  return (
    <div className="flex flex-col gap-3">
      <table
        className="w-full overflow-hidden rounded-xl border border-neutral-200 bg-white text-sm"
        data-testid="audit-log"
      >
        <thead className="bg-neutral-50 text-left text-xs uppercase text-neutral-500">
          <tr>
            <th className="px-4 py-2 font-medium">When</th>
            <th className="px-4 py-2 font-medium">Who</th>
            <th className="px-4 py-2 font-medium">What</th>
            <th className="px-4 py-2 font-medium">Details</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-neutral-200">
          {rows.map((event) => (
            <tr key={event.id} data-testid="audit-row" data-action={event.action}>
              <td className="whitespace-nowrap px-4 py-2 text-neutral-600">{event.createdAt.toLocaleString()}</td>
              <td className="px-4 py-2">{event.actor?.email ?? <span className="text-neutral-400">system</span>}</td>
              <td className="px-4 py-2">{ACTION_LABELS[event.action] ?? event.action}</td>
              <td className="px-4 py-2 text-xs text-neutral-600">{describeMetadata(event.metadata)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {events.hasNextPage ? (
        <button
          type="button"
          onClick={() => events.fetchNextPage()}
          disabled={events.isFetchingNextPage}
          className="self-start rounded-md border border-neutral-300 bg-white px-3 py-1.5 text-sm hover:bg-neutral-100 disabled:opacity-60"
        >
          {events.isFetchingNextPage ? "Loading…" : "Load older events"}
        </button>
      ) : null}
    </div>
  );
}
