"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useTRPC } from "../../../lib/trpc";

/**
 * Where a project has no traces yet, the likeliest reason is an exporter the receiver refused:
 * shows the newest refusal and links to the full list under Settings → Usage. Renders nothing
 * while loading, on error, or when nothing was refused.
 */
export function LatestRefusalNotice({ projectId }: { projectId: string }) {
  const trpc = useTRPC();
  const problems = useQuery({ ...trpc.usage.problems.queryOptions({ projectId }), refetchInterval: 15_000 });
  const latest = problems.data?.data.find((problem) => problem.status !== 200);
  if (!latest) return null;
  return (
    <div
      role="alert"
      className="w-full max-w-xl rounded-lg border border-amber-300 bg-amber-50 p-4 text-left text-sm text-amber-900"
      data-testid="latest-refusal"
    >
      <p className="font-medium">
        An export with this project&apos;s key was refused ({latest.status}
        {latest.count > 1 ? `, ${latest.count} times` : ""}):
      </p>
      <p className="mt-1 break-words font-mono text-xs">{latest.message}</p>
      <Link href={`/project/${projectId}/settings#usage`} className="mt-2 inline-block font-medium underline">
        See every refused export
      </Link>
    </div>
  );
}
