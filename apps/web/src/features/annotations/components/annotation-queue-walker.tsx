"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { useTRPC } from "../../../lib/trpc";
import { AnnotationPanel } from "../../scores";

/**
 * Walks a reviewer through a queue's traces: the current trace's question, answer and
 * context beside the annotation panel. J / K move to the next / previous trace; the
 * queue starts at the newest trace not yet fully annotated by this reviewer.
 */
export function AnnotationQueueWalker({ projectId, queueId }: { projectId: string; queueId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const items = useQuery(trpc.annotation.items.queryOptions({ projectId, queueId }));
  const [position, setPosition] = useState<number | null>(null);
  const list = items.data?.items ?? [];
  const firstPending = Math.max(
    list.findIndex((item) => !item.isDone),
    0,
  );
  const index = Math.min(position ?? firstPending, Math.max(list.length - 1, 0));
  const current = list[index];
  const brief = useQuery({
    ...trpc.annotation.traceBrief.queryOptions({ projectId, traceId: current?.traceId ?? "0".repeat(32) }),
    enabled: current !== undefined,
  });

  useEffect(() => {
    function onKeyDown(event: KeyboardEvent) {
      const target = event.target as HTMLElement | null;
      if (event.metaKey || event.ctrlKey || event.altKey) return;
      if (target && (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName))) return;
      if (event.key === "j" || event.key === "k") {
        event.preventDefault();
        const step = event.key === "j" ? 1 : -1;
        setPosition(Math.min(Math.max(index + step, 0), Math.max(list.length - 1, 0)));
      }
    }
    window.addEventListener("keydown", onKeyDown);
    return () => window.removeEventListener("keydown", onKeyDown);
  }, [index, list.length]);

  if (items.isPending) {
    return (
      <div className="h-48 animate-pulse rounded-xl bg-neutral-200" aria-busy="true">
        <span className="sr-only">Loading queue</span>
      </div>
    );
  }
  if (items.isError) {
    return (
      <p role="alert" className="text-sm text-red-700">
        The queue could not be loaded: {items.error.message}. Go back to the queue list and try again.
      </p>
    );
  }
  if (items.data === null) {
    return (
      <p role="alert" className="text-sm text-neutral-700">
        This annotation queue no longer exists. Go back to the queue list to pick another one.
      </p>
    );
  }
  const doneCount = list.filter((item) => item.isDone).length;
  return (
    <div className="flex flex-col gap-4">
      <div className="flex items-baseline justify-between">
        <div className="flex flex-col">
          <h1 className="text-2xl font-semibold tracking-tight">{items.data.queue.name}</h1>
          {items.data.queue.description ? (
            <p className="text-sm text-neutral-600">{items.data.queue.description}</p>
          ) : null}
        </div>
        <span className="text-sm text-neutral-600" data-testid="queue-progress">
          {doneCount} of {list.length} done · J next · K previous
        </span>
      </div>
      {list.length === 0 ? (
        <p className="rounded-xl border border-dashed border-neutral-300 bg-white px-4 py-6 text-center text-sm text-neutral-600">
          No trace matches this queue's filter in its time window. Widen the window or the filter, or wait for new
          traces.
        </p>
      ) : current ? (
        <div className="grid gap-4 lg:grid-cols-[1fr_22rem]">
          <article
            className="flex flex-col gap-3 rounded-xl border border-neutral-200 bg-white p-4 text-sm"
            data-testid="queue-trace"
          >
            <header className="flex items-baseline justify-between">
              <span className="font-medium">
                {index + 1}/{list.length} · {current.name || "(unnamed trace)"}
                {current.isDone ? <span className="ml-2 text-xs text-green-700">done</span> : null}
              </span>
              <span className="font-mono text-xs text-neutral-500" data-testid="queue-trace-id">
                {current.traceId}
              </span>
            </header>
            {brief.isPending ? (
              <div className="h-24 animate-pulse rounded bg-neutral-100" aria-busy="true" />
            ) : brief.isError || !brief.data ? (
              <p className="text-neutral-600">This trace's spans could not be loaded; it may have expired.</p>
            ) : (
              <>
                <section>
                  <h3 className="text-xs font-semibold uppercase text-neutral-500">Input</h3>
                  <p className="whitespace-pre-wrap">{brief.data.input ?? "—"}</p>
                </section>
                <section>
                  <h3 className="text-xs font-semibold uppercase text-neutral-500">Output</h3>
                  <p className="whitespace-pre-wrap" data-testid="queue-trace-output">
                    {brief.data.output ?? "—"}
                  </p>
                </section>
                {brief.data.documents.length > 0 ? (
                  <section>
                    <h3 className="text-xs font-semibold uppercase text-neutral-500">Retrieved context</h3>
                    <ol className="flex list-decimal flex-col gap-1 pl-5">
                      {brief.data.documents.map((document, documentIndex) => (
                        // biome-ignore lint/suspicious/noArrayIndexKey: documents are shown in retrieval order and have no stable id here
                        <li key={documentIndex}>
                          {document.content ?? "(no content)"}
                          {document.score !== null ? (
                            <span className="ml-1 text-xs text-neutral-500">score {document.score}</span>
                          ) : null}
                        </li>
                      ))}
                    </ol>
                  </section>
                ) : null}
              </>
            )}
          </article>
          <AnnotationPanel
            key={current.traceId}
            projectId={projectId}
            traceId={current.traceId}
            onAnnotated={() =>
              queryClient.invalidateQueries({ queryKey: trpc.annotation.items.queryKey({ projectId, queueId }) })
            }
          />
        </div>
      ) : null}
    </div>
  );
}
