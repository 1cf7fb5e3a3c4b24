"use client";

import { useInfiniteQuery } from "@tanstack/react-query";
import { flexRender, getCoreRowModel, useReactTable } from "@tanstack/react-table";
import { useVirtualizer } from "@tanstack/react-virtual";
import Link from "next/link";
import { useEffect, useMemo, useRef } from "react";
import type { z } from "zod";
import { useTRPC } from "../../../lib/trpc";
import type { ZTraceListQuery } from "../lib/trace-filter-query";
import { withoutViewKeys } from "../lib/url-query";
import { DEFAULT_COLUMNS, TRACE_COLUMNS } from "./trace-columns";
import { asList, asOne, useExplorerUrl } from "./use-explorer-url";

const ROW_HEIGHT = 41;

/** URL values are strings; the server coerces and validates them with the same schema. */
type TListInput = Omit<z.input<typeof ZTraceListQuery>, "cursor">;

/** The explorer's result list: virtualized rows, pages fetched by cursor as the user scrolls. */
export function TracesTable({ projectId }: { projectId: string }) {
  const trpc = useTRPC();
  const { query, setParams, replaceAll } = useExplorerUrl();
  const filters = useMemo(() => withoutViewKeys(query), [query]);
  const traces = useInfiniteQuery(
    trpc.trace.list.infiniteQueryOptions(
      // The server parses this with the same schema as the public API and names a bad field.
      { projectId, query: filters as TListInput },
      { getNextPageParam: (page) => page.nextCursor },
    ),
  );
  const rows = useMemo(() => traces.data?.pages.flatMap((page) => page.data) ?? [], [traces.data]);
  const visibleColumns = asList(query.cols).length > 0 ? asList(query.cols) : DEFAULT_COLUMNS;
  const sortBy = asOne(query.sortBy) ?? "startTime";
  const sortDir = asOne(query.sortDir) ?? "desc";

  const table = useReactTable({
    data: rows,
    columns: TRACE_COLUMNS,
    getCoreRowModel: getCoreRowModel(),
    manualSorting: true,
    state: {
      sorting: [{ id: sortBy, desc: sortDir === "desc" }],
      columnVisibility: Object.fromEntries(
        TRACE_COLUMNS.map((column) => [column.id, visibleColumns.includes(column.id ?? "")]),
      ),
    },
    getRowId: (row) => row.traceId,
  });

  const scrollRef = useRef<HTMLDivElement>(null);
  const tableRows = table.getRowModel().rows;
  const virtualizer = useVirtualizer({
    count: tableRows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
  });
  const virtualRows = virtualizer.getVirtualItems();
  const lastIndex = virtualRows.at(-1)?.index ?? 0;
  useEffect(() => {
    if (lastIndex >= tableRows.length - 10 && traces.hasNextPage && !traces.isFetchingNextPage) {
      void traces.fetchNextPage();
    }
  }, [lastIndex, tableRows.length, traces]);

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
        Traces could not be loaded: {traces.error.message}.{" "}
        <button type="button" className="underline" onClick={() => replaceAll("")}>
          Reset the filters
        </button>{" "}
        or fix the one named above.
      </div>
    );
  }
  if (rows.length === 0) {
    return (
      <div
        className="rounded-lg border border-neutral-200 bg-white p-6 text-sm text-neutral-600"
        data-testid="traces-empty"
      >
        No traces match these filters in this time range. Widen the range (try 7d or 30d) or remove a filter.
      </div>
    );
  }

  const paddingTop = virtualRows[0]?.start ?? 0;
  const paddingBottom = virtualizer.getTotalSize() - (virtualRows.at(-1)?.end ?? 0);
  return (
    <div
      ref={scrollRef}
      className="max-h-[calc(100vh-320px)] min-h-64 overflow-auto rounded-lg border border-neutral-200 bg-white"
      data-testid="traces-table"
    >
      <table className="w-full text-left text-sm">
        <thead className="sticky top-0 z-10 border-b border-neutral-200 bg-neutral-50 text-xs uppercase tracking-wide text-neutral-500">
          {table.getHeaderGroups().map((group) => (
            <tr key={group.id}>
              {group.headers.map((header) => {
                const isSorted = header.column.id === sortBy;
                return (
                  <th key={header.id} className="whitespace-nowrap px-3 py-2 font-medium">
                    {header.column.getCanSort() ? (
                      <button
                        type="button"
                        className="uppercase"
                        onClick={() =>
                          setParams({
                            sortBy: header.column.id,
                            sortDir: isSorted && sortDir === "desc" ? "asc" : "desc",
                          })
                        }
                      >
                        {flexRender(header.column.columnDef.header, header.getContext())}
                        {isSorted ? (sortDir === "desc" ? " ↓" : " ↑") : ""}
                      </button>
                    ) : (
                      flexRender(header.column.columnDef.header, header.getContext())
                    )}
                  </th>
                );
              })}
            </tr>
          ))}
        </thead>
        <tbody className="divide-y divide-neutral-100">
          {paddingTop > 0 && (
            <tr>
              <td style={{ height: paddingTop }} />
            </tr>
          )}
          {virtualRows.map((virtualRow) => {
            const row = tableRows[virtualRow.index];
            if (!row) return null;
            return (
              <tr
                key={row.id}
                data-testid="trace-row"
                className="relative hover:bg-neutral-50"
                style={{ height: ROW_HEIGHT }}
              >
                {row.getVisibleCells().map((cell, index) => (
                  <td key={cell.id} className="px-3 py-2 align-top">
                    {index === 0 ? (
                      <Link
                        href={`/project/${projectId}/traces/${row.original.traceId}`}
                        className="after:absolute after:inset-0"
                        aria-label={`Open trace ${row.original.name || row.original.traceId}`}
                      >
                        {flexRender(cell.column.columnDef.cell, cell.getContext())}
                      </Link>
                    ) : (
                      flexRender(cell.column.columnDef.cell, cell.getContext())
                    )}
                  </td>
                ))}
              </tr>
            );
          })}
          {paddingBottom > 0 && (
            <tr>
              <td style={{ height: paddingBottom }} />
            </tr>
          )}
        </tbody>
      </table>
      <div className="px-3 py-2 text-xs text-neutral-500">
        {traces.isFetchingNextPage
          ? "Loading more…"
          : traces.hasNextPage
            ? `${rows.length} traces loaded; scroll for more`
            : `${rows.length} trace${rows.length === 1 ? "" : "s"}`}
      </div>
    </div>
  );
}
