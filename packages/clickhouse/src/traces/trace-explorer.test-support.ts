import type { ClickHouseClient } from "../client.js";
import { toClickHouseTime } from "../spans/span-row.js";

// The explorer tests' data. Five traces in project A (T5 outside the window) and a copy of
// T1 in project B, laid out so a filter that is ignored, inverted or applied to the wrong
// column returns a different set.
export const PROJECT = "proj-explorer";
export const OTHER_PROJECT = "proj-other";
export const NOW = Date.now();
export const HOUR = 3600_000;

export const traceId = (n: number) => n.toString(16).padStart(32, "0");
export const spanId = (trace: number, n: number) =>
  `${trace.toString(16).padStart(8, "0")}${n.toString(16).padStart(8, "0")}`;
export const T = { t1: traceId(1), t2: traceId(2), t3: traceId(3), t4: traceId(4), t5: traceId(5) };

export interface TSpanSpec {
  n: number;
  parent?: number;
  name: string;
  kind: string;
  offsetMs: number;
  durationMs: number;
  model?: string;
  input?: string;
  output?: string;
  tokens?: number;
  cost?: number;
  error?: boolean;
  topScore?: number;
  metadata?: Record<string, string>;
}

export interface TTraceSpec {
  project?: string;
  trace: number;
  startMs: number;
  name: string;
  tags?: string[];
  userId?: string;
  sessionId?: string;
  environment?: string;
  release?: string;
  spans: TSpanSpec[];
}

export function toRows(spec: TTraceSpec) {
  return spec.spans.map((span) => ({
    project_id: spec.project ?? PROJECT,
    trace_id: traceId(spec.trace),
    span_id: spanId(spec.trace, span.n),
    parent_span_id: span.parent === undefined ? "" : spanId(spec.trace, span.parent),
    start_time: toClickHouseTime(spec.startMs + span.offsetMs),
    end_time: toClickHouseTime(spec.startMs + span.offsetMs + span.durationMs),
    duration_ms: span.durationMs,
    name: span.name,
    kind: span.kind,
    trace_name: span.parent === undefined ? spec.name : "",
    model: span.model ?? "",
    input: span.input ?? "",
    output: span.output ?? "",
    total_tokens: span.tokens ?? 0,
    cost_total: span.cost ?? 0,
    retrieval_top_score: span.topScore ?? null,
    retrieved_documents:
      span.topScore === undefined
        ? ""
        : JSON.stringify([{ id: "doc-1", content: "chunk text", score: span.topScore, metadata: {}, rank: 0 }]),
    session_id: spec.sessionId ?? "",
    user_id: spec.userId ?? "",
    tags: spec.tags ?? [],
    metadata: span.metadata ?? {},
    environment: spec.environment ?? "",
    release: spec.release ?? "",
    status_code: span.error ? "error" : "unset",
    error_type: span.error ? "TimeoutError" : "",
  }));
}

export const rag = (topScore: number, extra: Partial<TSpanSpec> = {}): TSpanSpec[] => [
  { n: 1, name: "answer", kind: "chain", offsetMs: 0, durationMs: 0, ...extra },
  { n: 2, parent: 1, name: "retrieve", kind: "retrieval", offsetMs: 10, durationMs: 50, topScore },
  { n: 3, parent: 1, name: "chat", kind: "generation", offsetMs: 100, durationMs: 200 },
];

export function score(project: string, trace: string, id: string, name: string, value: number | null, label = "") {
  return {
    project_id: project,
    id,
    trace_id: trace,
    span_id: "",
    name,
    value,
    label,
    string_value: label,
    data_type: value === null ? "categorical" : "numeric",
    source: "api",
    timestamp: toClickHouseTime(NOW - HOUR),
  };
}

/** Inserts the traces, scores and KPI events the explorer tests read. */
export async function seedExplorerData(client: ClickHouseClient): Promise<void> {
  const traces: TTraceSpec[] = [
    {
      trace: 1,
      startMs: NOW - 2 * HOUR,
      name: "qa",
      tags: ["domain:hr"],
      userId: "u1",
      sessionId: "s1",
      environment: "prod",
      release: "v1",
      spans: [
        {
          n: 1,
          name: "answer",
          kind: "chain",
          offsetMs: 0,
          durationMs: 1000,
          input: "How many VACATION days do I get?",
          output: "25 days.",
          metadata: { tenant: "acme" },
        },
        { n: 2, parent: 1, name: "retrieve", kind: "retrieval", offsetMs: 10, durationMs: 50, topScore: 0.3 },
        {
          n: 3,
          parent: 1,
          name: "chat",
          kind: "generation",
          offsetMs: 100,
          durationMs: 800,
          model: "gpt-4o",
          tokens: 300,
          cost: 0.01,
        },
      ],
    },
    {
      trace: 2,
      startMs: NOW - 3 * HOUR,
      name: "qa",
      tags: ["domain:hr"],
      userId: "u2",
      sessionId: "s1",
      environment: "prod",
      release: "v1",
      spans: [
        ...rag(0.9, { durationMs: 3000, metadata: { tenant: "globex" } }).slice(0, 2),
        {
          n: 3,
          parent: 1,
          name: "chat",
          kind: "generation",
          offsetMs: 100,
          durationMs: 2900,
          model: "gpt-4o-mini",
          tokens: 1000,
          cost: 0.05,
          error: true,
        },
      ],
    },
    {
      trace: 3,
      startMs: NOW - 4 * HOUR,
      name: "qa",
      tags: ["domain:finance"],
      userId: "u1",
      environment: "staging",
      release: "v2",
      spans: [
        ...rag(0.4, { durationMs: 500, output: "Refunds: 50% within 30 days" }).slice(0, 2),
        {
          n: 3,
          parent: 1,
          name: "chat",
          kind: "generation",
          offsetMs: 100,
          durationMs: 300,
          model: "claude-sonnet",
          tokens: 50,
          cost: 0.002,
        },
      ],
    },
    {
      trace: 4,
      startMs: NOW - 5 * HOUR,
      name: "summarize",
      tags: ["domain:hr", "intent:policy_lookup"],
      userId: "u3",
      sessionId: "s2",
      environment: "prod",
      release: "v1",
      spans: [
        { n: 1, name: "summarize", kind: "agent", offsetMs: 0, durationMs: 8000 },
        { n: 2, parent: 1, name: "lookup", kind: "tool", offsetMs: 10, durationMs: 100, error: true },
        {
          n: 3,
          parent: 1,
          name: "chat",
          kind: "generation",
          offsetMs: 200,
          durationMs: 7000,
          model: "gpt-4o",
          tokens: 9000,
          cost: 0.2,
        },
      ],
    },
    // Outside a two-day window, otherwise like T4.
    {
      trace: 5,
      startMs: NOW - 8 * 24 * HOUR,
      name: "summarize",
      tags: ["domain:hr"],
      userId: "u3",
      environment: "prod",
      spans: [{ n: 1, name: "summarize", kind: "agent", offsetMs: 0, durationMs: 8000 }],
    },
    // Project B: a copy of T1 that must never appear in project A's results.
    {
      project: OTHER_PROJECT,
      trace: 1,
      startMs: NOW - 2 * HOUR,
      name: "qa",
      tags: ["domain:hr"],
      userId: "u1",
      sessionId: "s1",
      environment: "prod",
      spans: rag(0.1, { input: "vacation" }),
    },
  ];
  await client.insert({ table: "spans", values: traces.flatMap(toRows), format: "JSONEachRow" });
  await client.insert({
    table: "scores",
    values: [
      score(PROJECT, T.t1, "c1", "confidence", 0.2),
      score(PROJECT, T.t2, "c2", "confidence", 0.9),
      score(PROJECT, T.t3, "c3", "confidence", 0.3),
      score(PROJECT, T.t4, "c4", "confidence", 0.45),
      score(PROJECT, T.t4, "r4", "relevance", 0.1),
      score(PROJECT, T.t1, "f1", "user_feedback", 0),
      score(PROJECT, T.t2, "f2", "user_feedback", 1),
      score(PROJECT, T.t3, "f3", "feedback", null, "thumbs_down"),
      // Deleted: must not count.
      { ...score(PROJECT, T.t2, "c2-old", "confidence", 0.1), is_deleted: 1 },
      score(OTHER_PROJECT, T.t1, "c1", "confidence", 0.1),
      score(OTHER_PROJECT, T.t1, "f1", "user_feedback", 0),
    ],
    format: "JSONEachRow",
  });
  await client.insert({
    table: "kpi_events",
    values: [
      {
        project_id: PROJECT,
        id: "k1",
        name: "ticket_resolved",
        value: 1,
        trace_id: T.t1,
        timestamp: toClickHouseTime(NOW),
      },
      { project_id: PROJECT, id: "k2", name: "csat", value: 4, session_id: "s1", timestamp: toClickHouseTime(NOW) },
      { project_id: PROJECT, id: "k3", name: "csat", value: 2, session_id: "s2", timestamp: toClickHouseTime(NOW) },
    ],
    format: "JSONEachRow",
  });
}
