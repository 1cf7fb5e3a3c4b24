"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useCallback, useEffect, useMemo } from "react";
import { useTRPC } from "../../../lib/trpc";
import { formatCost, formatDuration, formatTime, formatTokens } from "../lib/format";
import { buildSpanTree, errorSpansInOrder } from "../lib/span-tree";
import { CopyButton } from "./copy-button";
import { SpanDetail } from "./span-detail";
import { SpanTreePanel } from "./span-tree-panel";
import { TraceSidePanel } from "./trace-side-panel";

/**
 * The trace page. The selected span lives in the URL (`?span=`), so the share link opens
 * the same span; without one, a failing trace opens on its first error and any other on
 * its root.
 */
export function TraceView({ projectId, traceId }: { projectId: string; traceId: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const pathname = usePathname();
  const searchParams = useSearchParams();
  const traceTree = useQuery(trpc.trace.tree.queryOptions({ projectId, traceId }));
  const tree = useMemo(() => (traceTree.data ? buildSpanTree(traceTree.data.spans) : null), [traceTree.data]);
  const requestedSpan = searchParams.get("span");
  const landingSpan = useMemo(() => {
    if (!tree) return null;
    if (requestedSpan && tree.byId.has(requestedSpan)) return requestedSpan;
    return errorSpansInOrder(tree)[0]?.spanId ?? tree.roots[0]?.spanId ?? null;
  }, [tree, requestedSpan]);

  const selectSpan = useCallback(
    (spanId: string) => {
      const next = new URLSearchParams(searchParams.toString());
      next.set("span", spanId);
      router.replace(`${pathname}?${next}`, { scroll: false });
    },
    [pathname, router, searchParams],
  );
  useEffect(() => {
    if (landingSpan && landingSpan !== requestedSpan) selectSpan(landingSpan);
  }, [landingSpan, requestedSpan, selectSpan]);

  if (traceTree.isPending) {
    return (
      <div
        className="rounded-lg border border-neutral-200 bg-white p-6 text-sm text-neutral-500"
        data-testid="trace-loading"
      >
        Loading trace…
      </div>
    );
  }
  if (traceTree.isError) {
    const isMissing = traceTree.error.data?.code === "NOT_FOUND";
    return (
      <div className="rounded-lg border border-red-200 bg-red-50 p-6 text-sm text-red-700" role="alert">
        {isMissing
          ? "This trace is not in this project. Its spans may still be arriving (reload in a few seconds), or the link points to another project."
          : `The trace could not be loaded: ${traceTree.error.message}. Reload the page.`}{" "}
        <Link className="underline" href={`/project/${projectId}/traces`}>
          Back to traces
        </Link>
      </div>
    );
  }
  const { trace, scores, kpiEvents } = traceTree.data;
  const shareUrl = typeof window === "undefined" ? "" : window.location.href;
  return (
    <div className="flex flex-col gap-4" data-testid="trace-view">
      <header className="flex flex-col gap-2">
        <Link href={`/project/${projectId}/traces`} className="text-xs text-neutral-500 hover:underline">
          ← Traces
        </Link>
        <div className="flex flex-wrap items-center gap-3">
          <h1 className="text-xl font-semibold tracking-tight" data-testid="trace-name">
            {trace.name || traceId.slice(0, 8)}
          </h1>
          {trace.errorCount > 0 && (
            <span className="rounded bg-red-100 px-1.5 py-0.5 text-xs font-medium text-red-700">
              {trace.errorCount} error span{trace.errorCount > 1 ? "s" : ""}
            </span>
          )}
          {trace.tags.map((tag) => (
            <span key={tag} className="rounded bg-neutral-100 px-1.5 py-0.5 text-xs text-neutral-700">
              {tag}
            </span>
          ))}
        </div>
        <div className="flex flex-wrap items-center gap-x-4 gap-y-1 text-xs text-neutral-500">
          <span>{formatTime(trace.startTime)}</span>
          <span>{formatDuration(trace.durationMs)}</span>
          <span>{trace.spanCount} spans</span>
          <span>{formatTokens(trace.totalTokens)} tokens</span>
          <span>{formatCost(trace.totalCost)}</span>
          {trace.userId && (
            <Link
              className="hover:underline"
              href={`/project/${projectId}/traces?userId=${encodeURIComponent(trace.userId)}&range=30d`}
            >
              user {trace.userId}
            </Link>
          )}
          {trace.sessionId && (
            <Link
              className="hover:underline"
              href={`/project/${projectId}/sessions/${encodeURIComponent(trace.sessionId)}`}
            >
              session {trace.sessionId}
            </Link>
          )}
          {trace.environment && <span>{trace.environment}</span>}
          {trace.release && <span>release {trace.release}</span>}
          <span className="flex items-center gap-1">
            trace {traceId} <CopyButton text={traceId} label="Copy trace id" />
          </span>
          <CopyButton text={shareUrl} label="Copy share link" caption="copy share link" />
        </div>
      </header>
      <div className="grid grid-cols-1 gap-4 lg:grid-cols-12">
        <div className="lg:col-span-7">
          {tree && <SpanTreePanel tree={tree} selectedSpanId={requestedSpan} onSelect={selectSpan} />}
        </div>
        <div className="flex flex-col gap-4 lg:col-span-5">
          <div className="max-h-[720px] overflow-auto rounded-lg border border-neutral-200 bg-white">
            {requestedSpan ? (
              <SpanDetail key={requestedSpan} projectId={projectId} traceId={traceId} spanId={requestedSpan} />
            ) : (
              <p className="p-4 text-sm text-neutral-500">Select a span to see what it did.</p>
            )}
          </div>
          <TraceSidePanel
            projectId={projectId}
            traceId={traceId}
            selectedSpanId={requestedSpan}
            scores={scores}
            kpiEvents={kpiEvents}
            onSelectSpan={selectSpan}
          />
        </div>
      </div>
    </div>
  );
}
