"use client";

import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { ChoicePicker, LoadErrorBox, LoadingBox, TableHead } from "../../../components/list-parts";
import { useTRPC } from "../../../lib/trpc";

const DAY_CHOICES = [7, 30, 90] as const;

const count = new Intl.NumberFormat("en-US");
const counted = (n: number, noun: string) => `${count.format(n)} ${noun}${n === 1 ? "" : "s"}`;

function formatBytes(bytes: number): string {
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GB`;
}

/** The project's ingest volume per UTC day: requests stored, their spans and decompressed bytes. */
export function IngestUsagePanel({ projectId, otlpTracesEndpoint }: { projectId: string; otlpTracesEndpoint: string }) {
  const trpc = useTRPC();
  const [days, setDays] = useState<(typeof DAY_CHOICES)[number]>(30);
  const usage = useQuery(trpc.usage.ingest.queryOptions({ projectId, days }));
  return (
    <div className="flex flex-col gap-3" data-testid="ingest-usage">
      <div className="flex items-center justify-between gap-3">
        <p className="text-sm text-neutral-600">
          {usage.data && usage.data.days.length > 0 ? (
            <span data-testid="ingest-usage-totals">
              {counted(usage.data.totals.spans, "span")} in {counted(usage.data.totals.requests, "request")} (
              {formatBytes(usage.data.totals.bytes)}) over the last {days} days.
            </span>
          ) : (
            <>Spans and requests stored per UTC day.</>
          )}
        </p>
        <ChoicePicker choices={DAY_CHOICES} value={days} onChange={setDays} label={(choice) => `${choice}d`} />
      </div>
      {usage.isPending ? (
        <LoadingBox>Loading usage…</LoadingBox>
      ) : usage.isError ? (
        <LoadErrorBox what="Usage" message={usage.error.message} />
      ) : usage.data.days.length === 0 ? (
        <div
          className="rounded-lg border border-neutral-200 bg-white p-6 text-sm text-neutral-600"
          data-testid="ingest-usage-empty"
        >
          Nothing ingested in the last {days} days. Send OTLP traces to{" "}
          <code className="font-mono">{otlpTracesEndpoint}</code> with one of the API keys above.
        </div>
      ) : (
        <div className="overflow-x-auto rounded-lg border border-neutral-200 bg-white">
          <table className="w-full text-left text-sm" data-testid="ingest-usage-table">
            <TableHead labels={["Day (UTC)", "Spans", "Requests", "Volume"]} />
            <tbody className="divide-y divide-neutral-100">
              {[...usage.data.days].reverse().map((day) => (
                <tr key={day.day} data-testid="ingest-usage-row">
                  <td className="whitespace-nowrap px-3 py-2">{day.day}</td>
                  <td className="px-3 py-2 tabular-nums">{count.format(day.spans)}</td>
                  <td className="px-3 py-2 tabular-nums">{count.format(day.requests)}</td>
                  <td className="px-3 py-2 tabular-nums">{formatBytes(day.bytes)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
