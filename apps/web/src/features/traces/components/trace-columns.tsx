"use client";

import type { ColumnDef } from "@tanstack/react-table";
import type { z } from "zod";
import { formatCost, formatDuration, formatScore, formatTime, formatTokens } from "../lib/format";
import type { ZTraceSummary } from "../server/trace-schemas";

export type TTraceRow = z.output<typeof ZTraceSummary>;

/** Column ids double as the `cols` URL values; sortable ones match the API's `sortBy`. */
export const TRACE_COLUMNS: ColumnDef<TTraceRow>[] = [
  {
    id: "startTime",
    header: "Time",
    enableSorting: true,
    cell: ({ row }) => <span className="whitespace-nowrap text-neutral-500">{formatTime(row.original.startTime)}</span>,
  },
  {
    id: "name",
    header: "Name",
    cell: ({ row }) => <span className="font-medium">{row.original.name || row.original.traceId.slice(0, 8)}</span>,
  },
  {
    id: "durationMs",
    header: "Duration",
    enableSorting: true,
    cell: ({ row }) => <span className="tabular-nums">{formatDuration(row.original.durationMs)}</span>,
  },
  {
    id: "spanCount",
    header: "Spans",
    enableSorting: true,
    cell: ({ row }) => <span className="tabular-nums">{row.original.spanCount}</span>,
  },
  {
    id: "totalTokens",
    header: "Tokens",
    enableSorting: true,
    cell: ({ row }) => <span className="tabular-nums">{formatTokens(row.original.totalTokens)}</span>,
  },
  {
    id: "totalCost",
    header: "Cost",
    enableSorting: true,
    cell: ({ row }) => <span className="tabular-nums">{formatCost(row.original.totalCost)}</span>,
  },
  {
    id: "models",
    header: "Models",
    cell: ({ row }) => <span className="text-neutral-600">{row.original.models.join(", ") || "—"}</span>,
  },
  {
    id: "userId",
    header: "User",
    cell: ({ row }) => <span className="text-neutral-600">{row.original.userId ?? "—"}</span>,
  },
  {
    id: "sessionId",
    header: "Session",
    cell: ({ row }) => <span className="text-neutral-600">{row.original.sessionId ?? "—"}</span>,
  },
  {
    id: "tags",
    header: "Tags",
    cell: ({ row }) => (
      <div className="flex flex-wrap gap-1">
        {row.original.tags.map((tag) => (
          <span key={tag} className="rounded bg-neutral-100 px-1.5 py-0.5 text-xs text-neutral-700">
            {tag}
          </span>
        ))}
      </div>
    ),
  },
  {
    id: "scores",
    header: "Scores / feedback",
    cell: ({ row }) => (
      <div className="flex flex-wrap gap-1" data-testid="trace-scores">
        {row.original.scores.map((score) => (
          <span key={score.name} className="rounded bg-amber-50 px-1.5 py-0.5 text-xs text-amber-800">
            {score.name} {formatScore(score.average)}
            {score.count > 1 ? ` ×${score.count}` : ""}
          </span>
        ))}
      </div>
    ),
  },
  {
    id: "status",
    header: "Status",
    cell: ({ row }) =>
      row.original.errorCount > 0 ? (
        <span className="rounded bg-red-100 px-1.5 py-0.5 text-xs font-medium text-red-700">
          {row.original.errorCount} error{row.original.errorCount > 1 ? "s" : ""}
        </span>
      ) : (
        <span className="rounded bg-emerald-50 px-1.5 py-0.5 text-xs font-medium text-emerald-700">ok</span>
      ),
  },
];

export const DEFAULT_COLUMNS = [
  "startTime",
  "name",
  "durationMs",
  "totalTokens",
  "totalCost",
  "userId",
  "tags",
  "scores",
  "status",
];
