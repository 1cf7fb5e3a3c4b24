"use client";

import { useVirtualizer } from "@tanstack/react-virtual";
import { useEffect, useMemo, useRef, useState } from "react";
import { formatDuration } from "../lib/format";
import {
  ancestorsOf,
  errorSpansInOrder,
  flattenSpanTree,
  searchSpans,
  type TSpanTree,
  type TTreeSpan,
} from "../lib/span-tree";

const ROW_HEIGHT = 28;
const KIND_COLORS: Record<string, string> = {
  generation: "bg-violet-500",
  embedding: "bg-fuchsia-400",
  retrieval: "bg-sky-500",
  rerank: "bg-cyan-500",
  tool: "bg-amber-500",
  agent: "bg-indigo-500",
  chain: "bg-neutral-400",
  guardrail: "bg-lime-500",
  evaluator: "bg-teal-500",
};

/**
 * Tree and waterfall side by side, one virtualized row per visible span, so a
 * 10,000-span trace renders only what is on screen.
 */
export function SpanTreePanel<TSpan extends TTreeSpan>(props: {
  tree: TSpanTree<TSpan>;
  selectedSpanId: string | null;
  onSelect: (spanId: string) => void;
}) {
  const { tree, selectedSpanId, onSelect } = props;
  const [collapsed, setCollapsed] = useState<Set<string>>(() => new Set());
  const [searchText, setSearchText] = useState("");
  const [matchIndex, setMatchIndex] = useState(0);
  const rows = useMemo(() => flattenSpanTree(tree, collapsed), [tree, collapsed]);
  const matches = useMemo(() => searchSpans(tree, searchText), [tree, searchText]);
  const matchIds = useMemo(() => new Set(matches.map((span) => span.spanId)), [matches]);
  const errors = useMemo(() => errorSpansInOrder(tree), [tree]);
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 20,
  });

  /** Expands the span's ancestors, selects it and scrolls it into view. */
  const reveal = (spanId: string) => {
    const hidden = ancestorsOf(tree, spanId).filter((id) => collapsed.has(id));
    if (hidden.length > 0) setCollapsed((current) => new Set([...current].filter((id) => !hidden.includes(id))));
    onSelect(spanId);
  };

  const selectedIndex = rows.findIndex((row) => row.span.spanId === selectedSpanId);
  useEffect(() => {
    if (selectedIndex >= 0) virtualizer.scrollToIndex(selectedIndex, { align: "auto" });
  }, [selectedIndex, virtualizer]);

  const toggle = (spanId: string) =>
    setCollapsed((current) => {
      const next = new Set(current);
      if (next.has(spanId)) next.delete(spanId);
      else next.add(spanId);
      return next;
    });

  const errorIndex = errors.findIndex((span) => span.spanId === selectedSpanId);
  return (
    <div className="flex min-w-0 flex-col rounded-lg border border-neutral-200 bg-white">
      <div className="flex flex-wrap items-center gap-2 border-b border-neutral-200 p-2 text-sm">
        <input
          value={searchText}
          onChange={(event) => {
            setSearchText(event.currentTarget.value);
            setMatchIndex(0);
          }}
          onKeyDown={(event) => {
            if (event.key === "Enter" && matches.length > 0) {
              const next = matches[matchIndex % matches.length];
              if (next) reveal(next.spanId);
              setMatchIndex(matchIndex + 1);
            }
          }}
          placeholder="Search spans (name, kind, model)"
          aria-label="Search spans"
          data-testid="span-search"
          className="min-w-0 flex-1 rounded border border-neutral-300 px-2 py-1"
        />
        {searchText && (
          <span className="text-xs text-neutral-500">
            {matches.length} match{matches.length === 1 ? "" : "es"}
            {matches.length > 0 ? " · Enter for next" : ""}
          </span>
        )}
        {errors.length > 0 && (
          <button
            type="button"
            data-testid="jump-to-error"
            className="rounded bg-red-50 px-2 py-1 text-xs font-medium text-red-700 hover:bg-red-100"
            onClick={() => {
              const next = errors[(errorIndex + 1) % errors.length];
              if (next) reveal(next.spanId);
            }}
          >
            Next error ({errors.length})
          </button>
        )}
        <button type="button" className="text-xs text-neutral-500 underline" onClick={() => setCollapsed(new Set())}>
          expand all
        </button>
        <button
          type="button"
          className="text-xs text-neutral-500 underline"
          onClick={() =>
            setCollapsed(
              new Set(
                tree.roots.flatMap((root) => (tree.childrenOf.get(root.spanId) ?? []).map((child) => child.spanId)),
              ),
            )
          }
        >
          collapse
        </button>
      </div>
      <div className="grid grid-cols-[minmax(0,1fr)_minmax(0,1fr)] border-b border-neutral-100 px-2 py-1 text-[11px] uppercase tracking-wide text-neutral-400">
        <span>Span</span>
        <span className="flex justify-between">
          <span>0</span>
          <span>{formatDuration(tree.durationMs)}</span>
        </span>
      </div>
      <div ref={scrollRef} className="h-[560px] overflow-auto" data-testid="span-tree">
        <div style={{ height: virtualizer.getTotalSize(), position: "relative" }}>
          {virtualizer.getVirtualItems().map((item) => {
            const row = rows[item.index];
            if (!row) return null;
            const { span } = row;
            const isSelected = span.spanId === selectedSpanId;
            return (
              <div
                key={span.spanId}
                data-testid="span-row"
                data-span-id={span.spanId}
                data-error={span.isError || undefined}
                aria-selected={isSelected}
                className={`absolute left-0 grid w-full cursor-pointer grid-cols-[minmax(0,1fr)_minmax(0,1fr)] items-center px-2 text-sm ${
                  isSelected ? "bg-indigo-50" : matchIds.has(span.spanId) ? "bg-yellow-50" : "hover:bg-neutral-50"
                }`}
                style={{ top: item.start, height: ROW_HEIGHT }}
                onClick={() => onSelect(span.spanId)}
                onKeyDown={(event) => {
                  if (event.key === "Enter") onSelect(span.spanId);
                }}
                role="treeitem"
                aria-level={row.depth + 1}
                tabIndex={0}
              >
                <span className="flex min-w-0 items-center gap-1" style={{ paddingLeft: Math.min(row.depth, 24) * 12 }}>
                  {row.hasChildren ? (
                    <button
                      type="button"
                      aria-label={collapsed.has(span.spanId) ? "Expand" : "Collapse"}
                      className="w-4 shrink-0 text-neutral-400 hover:text-neutral-900"
                      onClick={(event) => {
                        event.stopPropagation();
                        toggle(span.spanId);
                      }}
                    >
                      {collapsed.has(span.spanId) ? "▸" : "▾"}
                    </button>
                  ) : (
                    <span className="w-4 shrink-0" />
                  )}
                  <span
                    className={`h-2 w-2 shrink-0 rounded-full ${span.isError ? "bg-red-500" : (KIND_COLORS[span.kind] ?? "bg-neutral-300")}`}
                  />
                  <span className={`truncate ${span.isError ? "text-red-700" : ""}`}>{span.name}</span>
                  <span className="shrink-0 text-[11px] text-neutral-400">{span.kind}</span>
                </span>
                <span
                  className="relative h-4"
                  title={`${formatDuration(span.durationMs)} · ${(row.share * 100).toFixed(1)}% of the trace`}
                >
                  <span
                    className={`absolute top-0.5 h-3 rounded-sm ${span.isError ? "bg-red-400" : (KIND_COLORS[span.kind] ?? "bg-neutral-300")}`}
                    style={{ left: `${row.offset * 100}%`, width: `max(2px, ${row.share * 100}%)` }}
                  />
                  <span
                    className="absolute top-0 whitespace-nowrap text-[11px] text-neutral-600"
                    style={
                      row.offset + row.share > 0.7
                        ? { right: `${(1 - row.offset) * 100 + 1}%` }
                        : { left: `calc(${(row.offset + row.share) * 100}% + 4px)` }
                    }
                  >
                    {formatDuration(span.durationMs)} · {(row.share * 100).toFixed(row.share < 0.01 ? 2 : 1)}%
                  </span>
                </span>
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
