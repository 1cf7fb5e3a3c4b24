"use client";

import { ColumnPicker } from "./column-picker";
import { SavedViews } from "./saved-views";
import { TraceFilterBar } from "./trace-filter-bar";
import { TracesTable } from "./traces-table";

/** The traces tab: filters and saved views above a virtualized, sortable list. */
export function TraceExplorer({ projectId, canSave }: { projectId: string; canSave: boolean }) {
  return (
    <div className="flex flex-col gap-3">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h1 className="text-xl font-semibold tracking-tight">Traces</h1>
        <div className="flex items-center gap-2">
          <SavedViews projectId={projectId} canSave={canSave} />
          <ColumnPicker />
        </div>
      </div>
      <TraceFilterBar projectId={projectId} />
      <TracesTable projectId={projectId} />
    </div>
  );
}
