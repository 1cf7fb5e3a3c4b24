"use client";

import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "../../../lib/trpc";
import { formatCost, formatDuration, formatTime } from "../lib/format";
import { CopyButton } from "./copy-button";
import {
  DocumentList,
  MessageList,
  PromptTemplate,
  Section,
  type TDocumentView,
  TextBlock,
  type TMessageView,
  ToolCallView,
} from "./span-payload";

interface TEventView {
  name: string;
  time: number;
  attributes: string;
}

const parseAttributes = (text: string): Record<string, unknown> => {
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return {};
  }
};

/** One span, loaded when selected: what it did first, its raw attributes one click away. */
export function SpanDetail({ projectId, traceId, spanId }: { projectId: string; traceId: string; spanId: string }) {
  const trpc = useTRPC();
  const span = useQuery(trpc.trace.span.queryOptions({ projectId, traceId, spanId }));
  const [isRaw, setIsRaw] = useState(false);

  if (span.isPending) {
    return <div className="p-4 text-sm text-neutral-500">Loading span…</div>;
  }
  if (span.isError) {
    return (
      <div className="p-4 text-sm text-red-700" role="alert">
        This span could not be loaded: {span.error.message}. Select it again or reload the page.
      </div>
    );
  }
  const s = span.data;
  const inputMessages = s.inputMessages as TMessageView[];
  const outputMessages = s.outputMessages as TMessageView[];
  const toolCalls = s.toolCalls as { id: string | null; name: string; arguments: string | null }[];
  const events = s.events as TEventView[];
  const exceptions = events.filter((event) => event.name === "exception");
  const params = Object.entries(s.modelParameters);
  const usage = s.usage;
  // Stored counts cannot tell "none reported" from 0, and a model call never uses no tokens.
  const hasTokenCounts = usage.totalTokens > 0 || usage.inputTokens > 0 || usage.outputTokens > 0;

  return (
    <div className="flex flex-col gap-5 p-4" data-testid="span-detail" data-span-id={s.spanId}>
      <header className="flex flex-col gap-1">
        <div className="flex flex-wrap items-center gap-2">
          <h2 className="text-lg font-semibold">{s.name}</h2>
          <span className="rounded bg-neutral-100 px-1.5 py-0.5 text-xs text-neutral-600">{s.kind}</span>
          {s.statusCode === "error" && (
            <span className="rounded bg-red-100 px-1.5 py-0.5 text-xs font-medium text-red-700">error</span>
          )}
        </div>
        <div className="flex flex-wrap items-center gap-x-3 gap-y-1 text-xs text-neutral-500">
          <span>{formatTime(s.startTime)}</span>
          <span>{formatDuration(s.durationMs)}</span>
          {s.model && (
            <span>
              {s.provider ? `${s.provider} · ` : ""}
              {s.model}
            </span>
          )}
          <span className="flex items-center gap-1">
            span {s.spanId} <CopyButton text={s.spanId} label="Copy span id" />
          </span>
        </div>
        <div className="mt-1 flex gap-1 text-sm">
          <button
            type="button"
            className={`rounded px-2 py-0.5 ${isRaw ? "" : "bg-neutral-900 text-white"}`}
            onClick={() => setIsRaw(false)}
          >
            Overview
          </button>
          <button
            type="button"
            data-testid="raw-toggle"
            className={`rounded px-2 py-0.5 ${isRaw ? "bg-neutral-900 text-white" : ""}`}
            onClick={() => setIsRaw(true)}
          >
            Raw attributes
          </button>
        </div>
      </header>

      {isRaw ? (
        <div className="flex flex-col gap-4" data-testid="raw-attributes">
          <Section title="Attributes (not mapped to a field)">
            <TextBlock text={JSON.stringify(s.attributes)} />
          </Section>
          <Section title="Resource attributes">
            <TextBlock text={JSON.stringify(s.resourceAttributes)} />
          </Section>
          <Section title={`Normalized span (${s.conventions.join(", ") || "no known convention"})`}>
            <TextBlock text={JSON.stringify(s)} />
          </Section>
        </div>
      ) : (
        <>
          {(s.error || exceptions.length > 0) && (
            <Section title="Error" testId="span-error">
              <div className="rounded border border-red-200 bg-red-50 p-2 text-sm text-red-800">
                <div className="font-semibold">{s.error?.type ?? "Error"}</div>
                <div className="whitespace-pre-wrap">{s.error?.message ?? s.statusMessage}</div>
                {s.error?.stacktrace && <TextBlock text={s.error.stacktrace} />}
              </div>
              {exceptions.map((event) => {
                const attributes = parseAttributes(event.attributes);
                return (
                  <div
                    key={`${event.time}-${String(attributes["exception.type"])}`}
                    className="rounded border border-red-100 p-2 text-xs"
                  >
                    <div className="text-neutral-500">exception event · {new Date(event.time).toISOString()}</div>
                    <div className="font-medium text-red-800">
                      {String(attributes["exception.type"] ?? "")} {String(attributes["exception.message"] ?? "")}
                    </div>
                    {typeof attributes["exception.stacktrace"] === "string" && (
                      <TextBlock text={attributes["exception.stacktrace"]} />
                    )}
                  </div>
                );
              })}
              <p className="text-xs text-neutral-500">The inputs this span received are below.</p>
            </Section>
          )}

          {(s.retrievalQuery || s.retrievedDocuments.length > 0) && (
            <Section title={`Retrieved documents (${s.retrievedDocuments.length})`} testId="retrieval">
              {s.retrievalQuery && (
                <div className="text-sm">
                  <span className="text-neutral-500">Query: </span>
                  {s.retrievalQuery}
                </div>
              )}
              <DocumentList documents={s.retrievedDocuments as TDocumentView[]} />
            </Section>
          )}
          {s.rerankedDocuments.length > 0 && (
            <Section title={`Reranked documents (${s.rerankedDocuments.length})`}>
              <DocumentList documents={s.rerankedDocuments as TDocumentView[]} />
            </Section>
          )}

          {s.prompt && (
            <Section
              title={`Prompt${s.prompt.name ? `: ${s.prompt.name}` : ""}${s.prompt.version ? ` v${s.prompt.version}` : ""}`}
              testId="prompt"
            >
              {s.prompt.template ? (
                <PromptTemplate template={s.prompt.template} variables={s.prompt.variables} />
              ) : (
                <TextBlock text={JSON.stringify(s.prompt.variables)} />
              )}
            </Section>
          )}

          {inputMessages.length > 0 ? (
            <Section title="Input messages" testId="input-messages">
              <MessageList messages={inputMessages} />
            </Section>
          ) : (
            s.input && (
              <Section title="Input" testId="span-input">
                <TextBlock text={s.input} />
              </Section>
            )
          )}
          {outputMessages.length > 0 ? (
            <Section title="Output messages" testId="output-messages">
              <MessageList messages={outputMessages} />
            </Section>
          ) : (
            s.output && (
              <Section title="Output" testId="span-output">
                <TextBlock text={s.output} />
              </Section>
            )
          )}
          {toolCalls.length > 0 && (
            <Section title="Tool calls">
              {toolCalls.map((call, index) => (
                <ToolCallView key={call.id ?? index} call={call} />
              ))}
            </Section>
          )}

          {(s.model || usage.totalTokens > 0 || s.cost.total > 0) && (
            <Section title="Model, tokens and cost" testId="usage">
              {!hasTokenCounts ? (
                <p className="text-sm text-neutral-500" data-testid="usage-not-reported">
                  No token counts were reported for this span.
                </p>
              ) : null}
              <dl className="grid grid-cols-2 gap-x-4 gap-y-1 text-sm sm:grid-cols-3">
                {[
                  ["input", usage.inputTokens],
                  ["output", usage.outputTokens],
                  ["total", usage.totalTokens],
                  ["cache read", usage.cacheReadTokens],
                  ["cache write", usage.cacheWriteTokens],
                  ["reasoning", usage.reasoningTokens],
                ]
                  .filter(() => hasTokenCounts)
                  .map(([label, value]) => (
                    <div key={label} className="flex justify-between gap-2">
                      <dt className="text-neutral-500">{label} tokens</dt>
                      <dd className="tabular-nums">{value}</dd>
                    </div>
                  ))}
                <div className="flex justify-between gap-2">
                  <dt className="text-neutral-500">cost</dt>
                  <dd
                    className="tabular-nums"
                    title={`${s.cost.source}${s.cost.priceVersion ? `, prices ${s.cost.priceVersion}` : ""}`}
                  >
                    {formatCost(s.cost.total)}
                  </dd>
                </div>
              </dl>
              {usage.isAggregate && (
                <p className="text-xs text-neutral-500">
                  These counts roll up the span's children; trace totals do not count them twice.
                </p>
              )}
              {params.length > 0 && (
                <div className="flex flex-wrap gap-1 text-xs">
                  {params.map(([key, value]) => (
                    <span key={key} className="rounded bg-neutral-100 px-1.5 py-0.5">
                      {key}: {JSON.stringify(value)}
                    </span>
                  ))}
                </div>
              )}
            </Section>
          )}

          {(Object.keys(s.metadata).length > 0 || s.tags.length > 0) && (
            <Section title="Tags and metadata">
              <div className="flex flex-wrap gap-1 text-xs">
                {s.tags.map((tag) => (
                  <span key={tag} className="rounded bg-neutral-100 px-1.5 py-0.5">
                    {tag}
                  </span>
                ))}
                {Object.entries(s.metadata).map(([key, value]) => (
                  <span key={key} className="rounded bg-neutral-50 px-1.5 py-0.5 text-neutral-600">
                    {key}={value}
                  </span>
                ))}
              </div>
            </Section>
          )}
          {events.length > exceptions.length && (
            <Section title="Events">
              <TextBlock text={JSON.stringify(events.filter((event) => event.name !== "exception"))} />
            </Section>
          )}
        </>
      )}
    </div>
  );
}
