"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useTRPC } from "../../../lib/trpc";

/**
 * Where a project has no traces yet, the likeliest reason is an exporter the receiver refused,
 * or exports accepted and then not stored: shows the newest such problem and links to the full
 * list under Settings → Usage. Renders nothing while loading, on error, or when there is none.
 */
export function LatestRefusalNotice({ projectId }: { projectId: string }) {
  const trpc = useTRPC();
  const problems = useQuery({ ...trpc.usage.problems.queryOptions({ projectId }), refetchInterval: 15_000 });
  // Spans stored as sent are stored, and records dropped from an accepted export leave the rest.
  const latest = problems.data?.data.find(
    (problem) => problem.status !== 200 || (problem.stage === "worker" && problem.keptRecords === 0),
  );
  if (!latest) return null;
  const times = latest.count > 1 ? `, ${latest.count} times` : "";
  return (
    <div
      role="alert"
      className="w-full max-w-xl rounded-lg border border-amber-300 bg-amber-50 p-4 text-left text-sm text-amber-900"
      data-testid="latest-refusal"
    >
      <p className="font-medium">
        {latest.status !== 200
          ? `An export with this project's key was refused (${latest.status}${times}):`
          : `An export with this project's key was accepted, then not stored${times ? ` (${times.slice(2)})` : ""}:`}
      </p>
      <p className="mt-1 break-words font-mono text-xs">{latest.message}</p>
      <Link href={`/project/${projectId}/settings#usage`} className="mt-2 inline-block font-medium underline">
        See every ingest problem
      </Link>
    </div>
  );
}
