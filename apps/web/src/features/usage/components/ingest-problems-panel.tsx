"use client";

import { useQuery } from "@tanstack/react-query";
import { LoadErrorBox, LoadingBox, TableHead } from "../../../components/list-parts";
import { useTRPC } from "../../../lib/trpc";

const count = new Intl.NumberFormat("en-US");

function records(n: number, signal: string): string {
  const noun = signal === "logs" ? "log record" : "span";
  return `${count.format(n)} ${noun}${n === 1 ? "" : "s"}`;
}

/**
 * What the exporter was answered and what came of the export, in a few words: "400",
 * "400 INVALID_ARGUMENT", "200, 3 spans dropped", and for the worker's problems "200, then 10
 * spans lost", "200, not stored yet", "200, 2 spans stored as sent".
 */
function describeAnswer(problem: {
  status: number;
  grpcStatus: string;
  signal: string;
  droppedRecords: number;
  keptRecords: number;
  stage: "receiver" | "worker";
}) {
  if (problem.status !== 200)
    return problem.grpcStatus ? `${problem.status} ${problem.grpcStatus}` : String(problem.status);
  if (problem.stage === "receiver") return `200, ${records(problem.droppedRecords, problem.signal)} dropped`;
  if (problem.droppedRecords > 0) return `200, then ${records(problem.droppedRecords, problem.signal)} lost`;
  if (problem.keptRecords > 0) return `200, ${records(problem.keptRecords, problem.signal)} stored as sent`;
  return "200, not stored yet";
}

function formatTime(iso: string): string {
  return new Date(iso).toISOString().replace("T", " ").slice(0, 19);
}

/**
 * Exports the receiver refused (bad data, too large, wrong content type, queue full) or
 * accepted only in part, for a project whose key they carried: what each exporter was told,
 * so a missing trace can be explained from here rather than from the exporter's logs. Also
 * the accepted exports the worker could not store whole, which no exporter hears of.
 */
export function IngestProblemsPanel({ projectId }: { projectId: string }) {
  const trpc = useTRPC();
  const problems = useQuery({ ...trpc.usage.problems.queryOptions({ projectId }), refetchInterval: 15_000 });
  return (
    <div className="flex flex-col gap-2" data-testid="ingest-problems">
      <div>
        <h3 className="text-sm font-medium text-neutral-900">Ingest problems</h3>
        <p className="text-xs text-neutral-600">
          Exports with this project&apos;s keys that the receiver refused or accepted only in part, and what each
          exporter was told, and accepted exports that were then not stored whole: the last 100, for 7 days. Repeats
          within two seconds are counted on one line.
        </p>
      </div>
      {problems.isPending ? (
        <LoadingBox>Loading ingest problems…</LoadingBox>
      ) : problems.isError ? (
        <LoadErrorBox what="Ingest problems" message={problems.error.message} />
      ) : problems.data.data.length === 0 ? (
        <div
          className="rounded-lg border border-neutral-200 bg-white p-4 text-sm text-neutral-600"
          data-testid="ingest-problems-empty"
        >
          No export with this project&apos;s keys was refused, cut short or left unstored in the last 7 days.
        </div>
      ) : (
        <div className="overflow-x-auto rounded-lg border border-neutral-200 bg-white">
          <table className="w-full text-left text-sm" data-testid="ingest-problems-table">
            <TableHead labels={["Last seen (UTC)", "Answer", "Times", "Reason", "Exporter"]} />
            <tbody className="divide-y divide-neutral-100">
              {problems.data.data.map((problem) => (
                <tr
                  key={`${problem.at}-${problem.stage}-${problem.status}-${problem.message}`}
                  data-testid="ingest-problem-row"
                  data-stage={problem.stage}
                >
                  <td className="whitespace-nowrap px-3 py-2 tabular-nums">{formatTime(problem.at)}</td>
                  <td className="whitespace-nowrap px-3 py-2 tabular-nums">{describeAnswer(problem)}</td>
                  <td className="px-3 py-2 tabular-nums">{count.format(problem.count)}</td>
                  <td className="px-3 py-2 text-xs">
                    {problem.stage === "worker" ? (
                      <div className="mb-1 font-medium text-red-800">Accepted, then not stored whole</div>
                    ) : null}
                    <div className="font-mono text-neutral-800">{problem.message}</div>
                    {problem.note ? (
                      <div className="mt-1 text-amber-800" data-testid="ingest-problem-note">
                        {problem.note}
                      </div>
                    ) : null}
                  </td>
                  <td className="px-3 py-2 text-xs text-neutral-600">
                    OTLP/{problem.transport === "grpc" ? "gRPC" : "HTTP"} {problem.signal}
                    {problem.userAgent ? <div className="font-mono">{problem.userAgent}</div> : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
