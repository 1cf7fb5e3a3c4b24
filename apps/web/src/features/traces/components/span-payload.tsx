"use client";

import type { ReactNode } from "react";
import { formatScore } from "../lib/format";

export interface TMessageView {
  role?: string;
  content?: string | null;
  toolCalls?: { id: string | null; name: string; arguments: string | null }[];
  toolCallId?: string;
  finishReason?: string;
}

export interface TDocumentView {
  id: string | null;
  content: string | null;
  score: number | null;
  metadata: Record<string, string>;
  rank: number;
}

export function Section({ title, children, testId }: { title: string; children: ReactNode; testId?: string }) {
  return (
    <section className="flex flex-col gap-2" data-testid={testId}>
      <h3 className="text-xs font-semibold uppercase tracking-wide text-neutral-500">{title}</h3>
      {children}
    </section>
  );
}

/** JSON text pretty-printed when it parses; anything else as written. */
export function TextBlock({ text }: { text: string }) {
  let shown = text;
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed !== null && typeof parsed === "object") shown = JSON.stringify(parsed, null, 2);
  } catch {
    // not JSON: show as written
  }
  return (
    <pre className="max-h-80 overflow-auto whitespace-pre-wrap break-words rounded bg-neutral-50 p-2 font-mono text-xs text-neutral-800">
      {shown}
    </pre>
  );
}

const ROLE_STYLES: Record<string, string> = {
  system: "border-neutral-300 bg-neutral-50",
  user: "border-sky-200 bg-sky-50",
  assistant: "border-violet-200 bg-violet-50",
  tool: "border-amber-200 bg-amber-50",
};

export function ToolCallView({ call }: { call: { id: string | null; name: string; arguments: string | null } }) {
  return (
    <div className="rounded border border-amber-200 bg-white p-2 text-xs" data-testid="tool-call">
      <div className="font-medium text-amber-800">
        → {call.name}
        {call.id ? <span className="ml-1 font-normal text-neutral-400">{call.id}</span> : null}
      </div>
      {call.arguments ? <TextBlock text={call.arguments} /> : null}
    </div>
  );
}

/** Chat messages by role, with tool calls and tool results in place. */
export function MessageList({ messages }: { messages: TMessageView[] }) {
  return (
    <div className="flex flex-col gap-2">
      {messages.map((message, index) => (
        <div
          // Messages have no ids; their order is their identity.
          // biome-ignore lint/suspicious/noArrayIndexKey: fixed list, never reordered
          key={index}
          className={`rounded border p-2 text-sm ${ROLE_STYLES[message.role ?? ""] ?? "border-neutral-200 bg-white"}`}
          data-testid="chat-message"
          data-role={message.role}
        >
          <div className="mb-1 flex items-center gap-2 text-[11px] font-semibold uppercase tracking-wide text-neutral-500">
            {message.role ?? "message"}
            {message.toolCallId ? (
              <span className="font-normal normal-case">result of {message.toolCallId}</span>
            ) : null}
            {message.finishReason ? (
              <span className="font-normal normal-case">finish: {message.finishReason}</span>
            ) : null}
          </div>
          {message.content ? <div className="whitespace-pre-wrap break-words">{message.content}</div> : null}
          {message.toolCalls?.map((call, callIndex) => (
            <ToolCallView key={call.id ?? callIndex} call={call} />
          ))}
        </div>
      ))}
    </div>
  );
}

/** Retrieved documents as a ranked list: score bar, source metadata, chunk text. */
export function DocumentList({ documents }: { documents: TDocumentView[] }) {
  const ranked = [...documents].sort((a, b) => a.rank - b.rank);
  return (
    <ol className="flex flex-col gap-2">
      {ranked.map((document) => (
        <li
          key={`${document.rank}-${document.id ?? ""}`}
          className="rounded border border-sky-200 bg-white p-2 text-sm"
          data-testid="retrieved-document"
        >
          <div className="flex flex-wrap items-center gap-2 text-xs">
            <span className="font-semibold text-neutral-700">#{document.rank}</span>
            {document.score !== null && (
              <span className="flex items-center gap-1" data-testid="document-score">
                <span className="inline-block h-1.5 w-16 overflow-hidden rounded bg-neutral-200">
                  <span
                    className={`block h-full ${document.score < 0.5 ? "bg-amber-500" : "bg-emerald-500"}`}
                    style={{ width: `${Math.max(0, Math.min(1, document.score)) * 100}%` }}
                  />
                </span>
                score {formatScore(document.score)}
              </span>
            )}
            {document.id ? <span className="text-neutral-400">{document.id}</span> : null}
            {Object.entries(document.metadata).map(([key, value]) => (
              <span key={key} className="rounded bg-neutral-100 px-1.5 py-0.5 text-neutral-600">
                {key}: {value}
              </span>
            ))}
          </div>
          {document.content ? (
            <p className="mt-1 whitespace-pre-wrap break-words text-neutral-800" data-testid="document-content">
              {document.content}
            </p>
          ) : null}
        </li>
      ))}
    </ol>
  );
}

/**
 * The template with each `{{name}}`, `{name}` or `${name}` placeholder replaced by its
 * value, highlighted, so the prompt reads as the model got it and the variables stand out.
 */
export function PromptTemplate({ template, variables }: { template: string; variables: Record<string, string> }) {
  const parts: ReactNode[] = [];
  const pattern = /\{\{\s*([\w.-]+)\s*\}\}|\$\{([\w.-]+)\}|\{([\w.-]+)\}/g;
  let last = 0;
  for (const match of template.matchAll(pattern)) {
    const name = match[1] ?? match[2] ?? match[3] ?? "";
    const start = match.index ?? 0;
    parts.push(template.slice(last, start));
    const value = variables[name];
    parts.push(
      value === undefined ? (
        <mark
          key={start}
          className="rounded bg-red-100 px-0.5 text-red-800"
          title="No value was recorded for this variable"
        >
          {match[0]}
        </mark>
      ) : (
        <mark key={start} className="rounded bg-yellow-100 px-0.5" title={name} data-testid="prompt-variable">
          {value}
        </mark>
      ),
    );
    last = start + match[0].length;
  }
  parts.push(template.slice(last));
  return (
    <div
      className="max-h-96 overflow-auto whitespace-pre-wrap break-words rounded bg-neutral-50 p-2 text-sm"
      data-testid="prompt-template"
    >
      {parts}
    </div>
  );
}
