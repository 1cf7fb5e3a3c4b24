"use client";

import { DEFAULT_COLUMNS, TRACE_COLUMNS } from "./trace-columns";
import { asList, useExplorerUrl } from "./use-explorer-url";

/** Which columns the table shows; the choice is part of the URL (and of saved views). */
export function ColumnPicker() {
  const { query, setParam } = useExplorerUrl();
  const chosen = asList(query.cols).length > 0 ? asList(query.cols) : DEFAULT_COLUMNS;
  return (
    <details className="relative">
      <summary className="cursor-pointer list-none rounded border border-neutral-300 bg-white px-2.5 py-1 text-sm hover:bg-neutral-100">
        Columns
      </summary>
      <div className="absolute right-0 z-20 mt-1 flex w-48 flex-col gap-1 rounded-lg border border-neutral-200 bg-white p-2 text-sm shadow-lg">
        {TRACE_COLUMNS.map((column) => {
          const id = column.id ?? "";
          return (
            <label key={id} className="flex items-center gap-2">
              <input
                type="checkbox"
                checked={chosen.includes(id)}
                onChange={(event) => {
                  const next = event.currentTarget.checked ? [...chosen, id] : chosen.filter((c) => c !== id);
                  // Keep table order, whatever order the boxes were ticked in.
                  const ordered = TRACE_COLUMNS.map((c) => c.id ?? "").filter((c) => next.includes(c));
                  setParam("cols", ordered.length > 0 ? ordered.join(",") : undefined);
                }}
              />
              {typeof column.header === "string" ? column.header : id}
            </label>
          );
        })}
      </div>
    </details>
  );
}
