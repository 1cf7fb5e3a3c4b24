import { createHash } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { normalizeSpan } from "@spanlens/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runClickHouseMigrations } from "../migrate.js";
import { closeClickHouse, getClickHouse, initClickHouse } from "../registry.js";
import { toSpanRow } from "../spans/span-row.js";
import { listAnnotationCandidates } from "./annotation-candidates.js";
import { lowConfidenceTraceFilter } from "./low-confidence.js";
import { insertScores, type TScoreInsert } from "./score-repository.js";

let dataDir: string;
const projectId = "project-low-confidence";
const traceId = (label: string) => createHash("sha256").update(label).digest("hex").slice(0, 32);

async function storeTrace(id: string, tags: string[]) {
  const now = BigInt(Date.now()) * 1_000_000n;
  const span = normalizeSpan({
    traceId: id,
    spanId: id.slice(0, 16),
    parentSpanId: null,
    name: "answer_question",
    kind: 2,
    startTimeUnixNano: String(now - 1_000_000n),
    endTimeUnixNano: String(now),
    attributes: { "tag.tags": tags },
    events: [],
    links: [],
    status: { code: 1, message: "" },
    resource: {},
    scope: { name: "test", version: "1", attributes: {} },
  });
  await getClickHouse().insert({ table: "spans", values: [toSpanRow(projectId, span)], format: "JSONEachRow" });
}

function score(
  id: string,
  trace: string,
  name: string,
  value: number,
  extra: Partial<TScoreInsert> = {},
): TScoreInsert {
  return {
    id,
    traceId: trace,
    spanId: null,
    sessionId: null,
    name,
    value,
    stringValue: "",
    dataType: "numeric",
    label: null,
    comment: null,
    source: "api",
    author: null,
    evaluatorVersion: null,
    evaluatorId: null,
    judgeTraceId: null,
    configId: null,
    metadata: {},
    timestampMs: Date.now(),
    ...extra,
  };
}

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), "spanlens-ch-scores-"));
  const client = await initClickHouse({ mode: "embedded", path: dataDir, database: "scores_it" });
  await runClickHouseMigrations(client, { database: "scores_it" });
  for (const label of ["confident", "unfaithful", "thumbs-down", "other-project"]) {
    await storeTrace(traceId(label), label === "thumbs-down" ? ["domain:hr"] : []);
  }
  await insertScores(getClickHouse(), projectId, [
    score("s1", traceId("confident"), "faithfulness", 0.9),
    score("s2", traceId("unfaithful"), "faithfulness", 0.2),
    score("s3", traceId("thumbs-down"), "user_feedback", 0),
  ]);
  await insertScores(getClickHouse(), "another-project", [score("s4", traceId("other-project"), "faithfulness", 0.1)]);
});

afterAll(async () => {
  await closeClickHouse();
  await rm(dataDir, { recursive: true, force: true });
});

describe("lowConfidenceTraceFilter", () => {
  it("selects the project's traces with a score matching any rule, as a condition other queries embed", async () => {
    const filter = lowConfidenceTraceFilter([
      { scoreName: "faithfulness", operator: "lt", threshold: 0.5 },
      { scoreName: "user_feedback", operator: "eq", threshold: 0 },
    ]);
    if (!filter) throw new Error("expected a filter for two rules");
    const result = await getClickHouse().query({
      query: `SELECT DISTINCT trace_id FROM traces WHERE project_id = {projectId:String} AND ${filter.sql} ORDER BY trace_id`,
      query_params: { projectId, ...filter.params },
      format: "JSONEachRow",
    });
    const rows = await result.json<{ trace_id: string }>();
    expect(rows.map((row) => row.trace_id)).toEqual([traceId("unfaithful"), traceId("thumbs-down")].sort());
  });

  it("is null when the project defines no rule", () => {
    expect(lowConfidenceTraceFilter([])).toBeNull();
  });
});

describe("listAnnotationCandidates", () => {
  it("walks the traces matching a score condition and marks those the reviewer finished", async () => {
    const from = new Date(Date.now() - 3600_000);
    const query = {
      projectId,
      from,
      score: { name: "user_feedback", operator: "lte" as const, value: 0 },
      author: "reviewer-1",
      scoreNames: ["correctness"],
      limit: 50,
    };
    expect(await listAnnotationCandidates(getClickHouse(), query)).toEqual([
      expect.objectContaining({ traceId: traceId("thumbs-down"), isDone: false }),
    ]);
    await insertScores(getClickHouse(), projectId, [
      score("a1", traceId("thumbs-down"), "correctness", 1, { source: "annotation", author: "reviewer-2" }),
    ]);
    expect((await listAnnotationCandidates(getClickHouse(), query))[0]?.isDone).toBe(false);
    await insertScores(getClickHouse(), projectId, [
      score("a2", traceId("thumbs-down"), "correctness", 1, { source: "annotation", author: "reviewer-1" }),
    ]);
    expect((await listAnnotationCandidates(getClickHouse(), query))[0]?.isDone).toBe(true);
    const byTag = await listAnnotationCandidates(getClickHouse(), { ...query, score: undefined, tags: ["domain:hr"] });
    expect(byTag.map((item) => item.traceId)).toEqual([traceId("thumbs-down")]);
  });
});
