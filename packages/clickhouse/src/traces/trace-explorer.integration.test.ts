import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ClickHouseClient } from "../client.js";
import { runClickHouseMigrations } from "../migrate.js";
import { closeClickHouse, initClickHouse } from "../registry.js";
import { toClickHouseTime } from "../spans/span-row.js";
import { getSessionTurns, listSessions, listUsers } from "./session-queries.js";
import { getSpan, getTraceTree, listTraceKpiEvents } from "./trace-detail.js";
import type { TTraceFilter } from "./trace-filter.js";
import { listTraceScoreSummaries, listTraces } from "./trace-queries.js";

// Real embedded ClickHouse. Five traces in project A (T5 outside the window) and a copy of
// T1 in project B. Each filter below is checked against the exact set of traces it must
// return; the data is laid out so a filter that is ignored, inverted or applied to the
// wrong column returns a different set.
let dataDir: string;
let client: ClickHouseClient;
const database = "explorer_it";
const PROJECT = "proj-explorer";
const OTHER_PROJECT = "proj-other";
const NOW = Date.now();
const HOUR = 3600_000;

const traceId = (n: number) => n.toString(16).padStart(32, "0");
const spanId = (trace: number, n: number) => `${trace.toString(16).padStart(8, "0")}${n.toString(16).padStart(8, "0")}`;
const T = { t1: traceId(1), t2: traceId(2), t3: traceId(3), t4: traceId(4), t5: traceId(5) };

interface TSpanSpec {
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

interface TTraceSpec {
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

function toRows(spec: TTraceSpec) {
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

const rag = (topScore: number, extra: Partial<TSpanSpec> = {}): TSpanSpec[] => [
  { n: 1, name: "answer", kind: "chain", offsetMs: 0, durationMs: 0, ...extra },
  { n: 2, parent: 1, name: "retrieve", kind: "retrieval", offsetMs: 10, durationMs: 50, topScore },
  { n: 3, parent: 1, name: "chat", kind: "generation", offsetMs: 100, durationMs: 200 },
];

function score(project: string, trace: string, id: string, name: string, value: number | null, label = "") {
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

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), "spanlens-ch-explorer-"));
  client = await initClickHouse({ mode: "embedded", path: path.join(dataDir, "clickhouse"), database });
  await runClickHouseMigrations(client, { database });
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
});

afterAll(async () => {
  await closeClickHouse();
  await rm(dataDir, { recursive: true, force: true });
});

const window = { projectId: PROJECT, from: new Date(NOW - 48 * HOUR), to: new Date(NOW + HOUR) };

async function ids(extra: Partial<TTraceFilter>): Promise<string[]> {
  const { data } = await listTraces(client, { ...window, ...extra, limit: 50 });
  return data.map((trace) => trace.traceId).sort();
}

describe("trace list filters", () => {
  it("scopes to the project and the time window", async () => {
    expect(await ids({})).toEqual([T.t1, T.t2, T.t3, T.t4]);
    expect(await ids({ from: new Date(NOW - 10 * 24 * HOUR) })).toEqual([T.t1, T.t2, T.t3, T.t4, T.t5]);
    expect(await ids({ from: new Date(NOW - 3.5 * HOUR) })).toEqual([T.t1, T.t2]);
    expect(await ids({ to: new Date(NOW - 3.5 * HOUR) })).toEqual([T.t3, T.t4]);
  });

  it.each<[string, Partial<TTraceFilter>, string[]]>([
    ["name", { name: "qa" }, [T.t1, T.t2, T.t3]],
    ["name outside the window", { name: "summarize" }, [T.t4]],
    ["one tag", { tags: ["domain:hr"] }, [T.t1, T.t2, T.t4]],
    ["every tag", { tags: ["domain:hr", "intent:policy_lookup"] }, [T.t4]],
    ["metadata on a span", { metadata: [{ key: "tenant", value: "acme" }] }, [T.t1]],
    ["metadata key with another value", { metadata: [{ key: "tenant", value: "initech" }] }, []],
    ["user", { userId: "u1" }, [T.t1, T.t3]],
    ["session", { sessionId: "s1" }, [T.t1, T.t2]],
    ["environment", { environment: "prod" }, [T.t1, T.t2, T.t4]],
    ["release", { release: "v2" }, [T.t3]],
    ["model, exact", { models: ["gpt-4o"] }, [T.t1, T.t4]],
    ["any of several models", { models: ["gpt-4o-mini", "claude-sonnet"] }, [T.t2, T.t3]],
    ["span kind", { kinds: ["tool"] }, [T.t4]],
    ["any of several kinds", { kinds: ["retrieval", "agent"] }, [T.t1, T.t2, T.t3, T.t4]],
    ["status error", { status: "error" }, [T.t2, T.t4]],
    ["status ok", { status: "ok" }, [T.t1, T.t3]],
    ["minimum duration, inclusive", { minDurationMs: 1000 }, [T.t1, T.t2, T.t4]],
    ["maximum duration, inclusive", { maxDurationMs: 1000 }, [T.t1, T.t3]],
    ["duration range", { minDurationMs: 900, maxDurationMs: 5000 }, [T.t1, T.t2]],
    ["minimum cost", { minCost: 0.05 }, [T.t2, T.t4]],
    ["maximum cost", { maxCost: 0.01 }, [T.t1, T.t3]],
    ["score below x (low confidence)", { scores: [{ name: "confidence", max: 0.5 }] }, [T.t1, T.t3, T.t4]],
    ["score range", { scores: [{ name: "confidence", min: 0.25, max: 0.45 }] }, [T.t3]],
    ["score at least", { scores: [{ name: "confidence", min: 0.45 }] }, [T.t2, T.t4]],
    [
      "two score names",
      {
        scores: [
          { name: "confidence", max: 0.5 },
          { name: "relevance", max: 0.5 },
        ],
      },
      [T.t4],
    ],
    ["low confidence in domain:hr", { tags: ["domain:hr"], scores: [{ name: "confidence", max: 0.5 }] }, [T.t1, T.t4]],
    [
      "the project's low-confidence rule (strictly below; deleted and other projects' scores ignored)",
      { lowConfidence: [{ scoreName: "confidence", operator: "lt", threshold: 0.3 }] },
      [T.t1],
    ],
    [
      "a low-confidence rule at or below",
      { lowConfidence: [{ scoreName: "confidence", operator: "lte", threshold: 0.3 }] },
      [T.t1, T.t3],
    ],
    [
      "a low-confidence rule on one value",
      { lowConfidence: [{ scoreName: "confidence", operator: "eq", threshold: 0.45 }] },
      [T.t4],
    ],
    [
      "low-confidence rules match when any one does",
      {
        lowConfidence: [
          { scoreName: "confidence", operator: "lt", threshold: 0.25 },
          { scoreName: "relevance", operator: "lt", threshold: 0.5 },
        ],
      },
      [T.t1, T.t4],
    ],
    ["negative feedback (value and label)", { feedback: "negative" }, [T.t1, T.t3]],
    ["positive feedback", { feedback: "positive" }, [T.t2]],
    ["retrieval top score below x", { retrievalTopScoreBelow: 0.5 }, [T.t1, T.t3]],
    ["retrieval top score below a lower x", { retrievalTopScoreBelow: 0.35 }, [T.t1]],
    ["search input, any case", { search: "vacation" }, [T.t1]],
    ["search output with a literal %", { search: "50%" }, [T.t3]],
    ["search wildcard characters are literal", { search: "_" }, []],
    ["two filters combine", { environment: "prod", status: "error" }, [T.t2, T.t4]],
  ])("%s", async (_label, filter, expected) => {
    expect(await ids(filter)).toEqual(expected);
  });
});

describe("trace list sorting and cursor", () => {
  it("pages through a sort by duration without skipping or repeating", async () => {
    const first = await listTraces(client, { ...window, limit: 2, sortBy: "durationMs", sortDir: "desc" });
    expect(first.data.map((trace) => trace.traceId)).toEqual([T.t4, T.t2]);
    expect(first.data.map((trace) => trace.durationMs)).toEqual([8000, 3000]);
    const second = await listTraces(client, {
      ...window,
      limit: 2,
      sortBy: "durationMs",
      sortDir: "desc",
      cursor: first.nextCursor ?? undefined,
    });
    expect(second.data.map((trace) => trace.traceId)).toEqual([T.t1, T.t3]);
    expect(second.nextCursor).toBeNull();
  });

  it.each(["desc", "asc"] as const)("pages by time (%s) one trace at a time across day slices", async (sortDir) => {
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await listTraces(client, {
        ...window,
        from: new Date(NOW - 10 * 24 * HOUR),
        limit: 1,
        sortDir,
        cursor,
      });
      seen.push(...page.data.map((trace) => trace.traceId));
      cursor = page.nextCursor ?? undefined;
    } while (cursor && seen.length < 10);
    const newestFirst = [T.t1, T.t2, T.t3, T.t4, T.t5];
    expect(seen).toEqual(sortDir === "desc" ? newestFirst : [...newestFirst].reverse());
  });

  it("sorts by cost ascending and newest first by default", async () => {
    const byCost = await listTraces(client, { ...window, limit: 10, sortBy: "totalCost", sortDir: "asc" });
    expect(byCost.data.map((trace) => trace.traceId)).toEqual([T.t3, T.t1, T.t2, T.t4]);
    const newest = await listTraces(client, { ...window, limit: 10 });
    expect(newest.data.map((trace) => trace.traceId)).toEqual([T.t1, T.t2, T.t3, T.t4]);
    expect(newest.data[0]).toMatchObject({ name: "qa", spanCount: 3, errorCount: 0, totalTokens: 300, userId: "u1" });
  });

  it("rejects a cursor from another sort order with a clear message", async () => {
    const first = await listTraces(client, { ...window, limit: 1, sortBy: "totalCost", sortDir: "asc" });
    await expect(listTraces(client, { ...window, limit: 1, cursor: first.nextCursor ?? "" })).rejects.toThrow(
      /cursor: belongs to a different sort order/,
    );
    await expect(listTraces(client, { ...window, limit: 1, cursor: "garbage" })).rejects.toThrow(
      /cursor: not a cursor/,
    );
  });

  it("summarizes each trace's scores, ignoring deleted ones", async () => {
    const scores = await listTraceScoreSummaries(client, PROJECT, [T.t2, T.t4]);
    expect(scores.get(T.t2)).toEqual([
      { name: "confidence", average: 0.9, count: 1 },
      { name: "user_feedback", average: 1, count: 1 },
    ]);
    expect(scores.get(T.t4)?.map((entry) => entry.name)).toEqual(["confidence", "relevance"]);
  });
});

describe("a trace crossing midnight", () => {
  it("is merged whole and matched by a span that started the next day", async () => {
    const midnight = Math.floor(NOW / (24 * HOUR)) * 24 * HOUR - 24 * HOUR;
    await client.insert({
      table: "spans",
      values: toRows({
        project: "proj-midnight",
        trace: 7,
        startMs: midnight - 10_000,
        name: "overnight",
        spans: [
          { n: 1, name: "batch", kind: "agent", offsetMs: 0, durationMs: 40_000 },
          { n: 2, parent: 1, name: "lookup", kind: "tool", offsetMs: 30_000, durationMs: 5_000, error: true },
        ],
      }),
      format: "JSONEachRow",
    });
    // The window ends a second after the trace starts, the day before its tool span.
    const overnight = {
      projectId: "proj-midnight",
      from: new Date(midnight - HOUR),
      to: new Date(midnight - 9_000),
      limit: 10,
    };
    const { data } = await listTraces(client, {
      ...overnight,
      kinds: ["tool"],
      status: "error",
      minDurationMs: 40_000,
    });
    expect(data.map((trace) => [trace.traceId, trace.spanCount, trace.durationMs])).toEqual([[traceId(7), 2, 40_000]]);
  });
});

describe("trace detail", () => {
  it("returns the tree without payloads and one span with its payload on demand", async () => {
    const tree = await getTraceTree(client, PROJECT, T.t2);
    expect(tree?.spans.map((span) => [span.name, span.parentSpanId === null, span.isError])).toEqual([
      ["answer", true, false],
      ["retrieve", false, false],
      ["chat", false, true],
    ]);
    expect(tree?.scores.map((entry) => entry.id).sort()).toEqual(["c2", "f2"]);
    expect(tree?.trace).toMatchObject({
      name: "qa",
      durationMs: 3000,
      spanCount: 3,
      errorCount: 1,
      totalTokens: 1000,
      sessionId: "s1",
      userId: "u2",
      environment: "prod",
      tags: ["domain:hr"],
    });
    expect(Object.keys(tree?.spans[0] ?? {})).not.toContain("input");
    const retrieval = await getSpan(client, PROJECT, T.t2, spanId(2, 2));
    expect(retrieval?.retrievedDocuments[0]).toMatchObject({ content: "chunk text", score: 0.9 });
    expect(await getSpan(client, OTHER_PROJECT, T.t2, spanId(2, 2))).toBeNull();
    expect(await getTraceTree(client, OTHER_PROJECT, T.t2)).toBeNull();
  });

  it("links KPI events by trace and by session", async () => {
    const events = await listTraceKpiEvents(client, PROJECT, T.t1, "s1");
    expect(events.map((event) => event.id).sort()).toEqual(["k1", "k2"]);
    expect((await listTraceKpiEvents(client, PROJECT, T.t3, null)).map((event) => event.id)).toEqual([]);
  });
});

describe("sessions and users", () => {
  it("groups the window's traces by session with feedback counts", async () => {
    const sessions = await listSessions(client, { ...window, limit: 10 });
    expect(sessions).toEqual([
      expect.objectContaining({
        sessionId: "s1",
        traceCount: 2,
        userIds: ["u1", "u2"],
        positiveFeedback: 1,
        negativeFeedback: 1,
        errorTraceCount: 1,
      }),
      expect.objectContaining({
        sessionId: "s2",
        traceCount: 1,
        userIds: ["u3"],
        positiveFeedback: 0,
        negativeFeedback: 0,
      }),
    ]);
    expect(sessions[0]?.totalCost).toBeCloseTo(0.06);
  });

  it("lists a session's turns oldest first with the root input and output", async () => {
    const turns = await getSessionTurns(client, { ...window, sessionId: "s1" });
    expect(turns.map((turn) => turn.trace.traceId)).toEqual([T.t2, T.t1]);
    expect(turns[1]).toMatchObject({ input: "How many VACATION days do I get?", output: "25 days." });
  });

  it("groups by user with volume, cost and feedback", async () => {
    const users = await listUsers(client, { ...window, limit: 10 });
    expect(users.map((user) => [user.userId, user.traceCount, user.positiveFeedback, user.negativeFeedback])).toEqual([
      ["u1", 2, 0, 2],
      ["u2", 1, 1, 0],
      ["u3", 1, 0, 0],
    ]);
    expect(users[0]?.totalCost).toBeCloseTo(0.012);
    const top = await listUsers(client, { ...window, limit: 1 });
    expect(top.map((user) => [user.userId, user.traceCount, user.negativeFeedback])).toEqual([["u1", 2, 2]]);
    const latestSession = await listSessions(client, { ...window, limit: 1 });
    expect(latestSession.map((session) => [session.sessionId, session.traceCount])).toEqual([["s1", 2]]);
  });
});
