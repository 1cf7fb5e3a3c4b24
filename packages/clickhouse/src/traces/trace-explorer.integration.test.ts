import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ClickHouseClient } from "../client.js";
import { runClickHouseMigrations } from "../migrate.js";
import { closeClickHouse, initClickHouse } from "../registry.js";
import { getSessionTurns, listSessions, listUsers } from "./session-queries.js";
import { getSpan, getTraceTree, listTraceKpiEvents } from "./trace-detail.js";
import {
  HOUR,
  NOW,
  OTHER_PROJECT,
  PROJECT,
  seedExplorerData,
  spanId,
  T,
  type TSpanSpec,
  toRows,
  traceId,
} from "./trace-explorer.test-support.js";
import type { TTraceFilter } from "./trace-filter.js";
import { listTraceScoreSummaries, listTraces } from "./trace-queries.js";

// Real embedded ClickHouse with the data of trace-explorer.test-support.ts. Each filter
// below is checked against the exact set of traces it must return.
let dataDir: string;
let client: ClickHouseClient;
const database = "explorer_it";
beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), "spanlens-ch-explorer-"));
  client = await initClickHouse({ mode: "embedded", path: path.join(dataDir, "clickhouse"), database });
  await runClickHouseMigrations(client, { database });
  await seedExplorerData(client);
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

describe("a page summarized from its spans", () => {
  it("counts a span that started before its root and arrived in a later insert", async () => {
    const project = "proj-skew";
    const start = NOW - 2 * HOUR;
    // Each call is an insert of its own, so each writes a part of its own.
    const send = (trace: number, startMs: number, span: TSpanSpec) =>
      client.insert({
        table: "spans",
        values: toRows({ project, trace, startMs, name: `trace ${trace}`, spans: [span] }),
        format: "JSONEachRow",
      });
    await send(8, start - HOUR, { n: 1, name: "root", kind: "chain", offsetMs: 0, durationMs: 100 });
    await send(9, start, { n: 1, name: "root", kind: "chain", offsetMs: 0, durationMs: 1_000 });
    // The child's clock runs two seconds behind its root's, and its exporter sends it later.
    await send(9, start, {
      n: 2,
      parent: 1,
      name: "llm",
      kind: "generation",
      offsetMs: -2_000,
      durationMs: 500,
      tokens: 7,
    });
    const { data } = await listTraces(client, {
      projectId: project,
      from: new Date(start - 2 * HOUR),
      to: new Date(NOW),
      limit: 1,
    });
    expect(
      data.map((trace) => [trace.traceId, trace.spanCount, trace.totalTokens, trace.startTime, trace.durationMs]),
    ).toEqual([[traceId(9), 2, 7, new Date(start - 2_000).toISOString(), 3_000]]);
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
