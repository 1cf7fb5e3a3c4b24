import { createScoreConfig, updateProjectEvalSettings } from "@spanlens/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getTraceRoute } from "../../traces/server";
import { createScoreRoute, createScoresBatchRoute, deleteScoreRoute, listScoresRoute } from "./score-routes";
import { apiRequest, randomTraceId, startTestProject, storeRootSpan } from "./test-project";

let project: Awaited<ReturnType<typeof startTestProject>>;

beforeAll(async () => {
  project = await startTestProject();
  await createScoreConfig(project.projectId, { name: "correctness", dataType: "NUMERIC", minValue: 0, maxValue: 1 });
  await createScoreConfig(project.projectId, { name: "helpful", dataType: "BOOLEAN" });
  await createScoreConfig(project.projectId, {
    name: "tone",
    dataType: "CATEGORICAL",
    categories: [
      { label: "friendly", value: 1 },
      { label: "rude", value: 0 },
    ],
  });
});

afterAll(async () => {
  await project.stop();
});

const post = (body: unknown, secretKey = project.secretKey) =>
  createScoreRoute(apiRequest(secretKey, "POST", "/scores", body));

const getTrace = async (traceId: string, secretKey = project.secretKey) => {
  const response = await getTraceRoute(apiRequest(secretKey, "GET", `/traces/${traceId}`), {
    params: Promise.resolve({ traceId }),
  });
  return { status: response.status, body: (await response.json()) as { scores: Record<string, unknown>[] } };
};

describe("POST /api/public/v1/scores", () => {
  it("stores feedback that then appears on the trace", async () => {
    const traceId = randomTraceId();
    const spanId = await storeRootSpan(project.projectId, traceId);
    const response = await post({ traceId, name: "user_feedback", value: 1, comment: "great answer" });
    expect(response.status).toBe(201);
    const { id } = (await response.json()) as { id: string };
    const spanScore = await post({ traceId, spanId, name: "helpful", value: false });
    expect(spanScore.status).toBe(201);

    const trace = await getTrace(traceId);
    expect(trace.status).toBe(200);
    expect(trace.body.scores).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id, name: "user_feedback", value: 1, comment: "great answer", source: "api" }),
        expect.objectContaining({ name: "helpful", value: 0, spanId }),
      ]),
    );
  });

  it("is idempotent with a client id and resolves a span-only target to its trace", async () => {
    const traceId = randomTraceId();
    const spanId = await storeRootSpan(project.projectId, traceId);
    const body = { id: "feedback-42", spanId, name: "correctness", value: 0.5 };
    for (let attempt = 0; attempt < 3; attempt++) expect((await post(body)).status).toBe(201);
    const trace = await getTrace(traceId);
    expect(trace.body.scores.filter((score) => score.id === "feedback-42")).toHaveLength(1);
    expect(trace.body.scores[0]).toMatchObject({ spanId, value: 0.5 });
  });

  it.each([
    [{ name: "user_feedback", value: 1 }, "traceId: a score needs a target"],
    [{ traceId: randomTraceId(), name: "correctness", value: 1.5 }, "value: 1.5 is above the maximum 1"],
    [
      { traceId: randomTraceId(), name: "correctness", value: "high" },
      'value: score config "correctness" expects a numeric value',
    ],
    [
      { traceId: randomTraceId(), name: "tone", value: "sarcastic" },
      'value: "sarcastic" is not a category of score config "tone"',
    ],
    [{ traceId: randomTraceId(), name: "helpful", value: 2 }, 'value: score config "helpful" expects a boolean value'],
    [
      { traceId: randomTraceId(), name: "x", value: 1, configId: "no-such-config" },
      "configId: no score config no-such-config",
    ],
    [{ traceId: "abc", name: "x", value: 1 }, "traceId: expected 32 lowercase hex characters"],
    [
      { traceId: randomTraceId(), name: "x", value: 5, dataType: "boolean", source: "sdk" },
      "value: dataType is boolean but value is a number",
    ],
    [
      { traceId: randomTraceId(), name: "unconfigured", value: 1, source: "annotation" },
      'name: no score config named "unconfigured"',
    ],
  ])("rejects %j with a 400 naming the field", async (body, message) => {
    const response = await post(body);
    expect(response.status).toBe(400);
    const { error } = (await response.json()) as { error: { code: string; message: string } };
    expect(error.code).toBe("BAD_REQUEST");
    expect(error.message).toContain(message);
  });

  it("rejects unknown score names once the project requires configs", async () => {
    const other = await project.createProject();
    await updateProjectEvalSettings(other.projectId, {
      requireScoreConfig: true,
      lowConfidenceRules: [],
      monthlyJudgeBudgetUsd: null,
    });
    const response = await post({ traceId: randomTraceId(), name: "vibes", value: 3 }, other.secretKey);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { message: string } }).error.message).toContain(
      'name: no score config named "vibes"',
    );
  });

  it("keeps projects apart: another project's key neither sees nor deletes the score", async () => {
    const traceId = randomTraceId();
    await storeRootSpan(project.projectId, traceId);
    const { id } = (await (await post({ traceId, name: "user_feedback", value: 0 })).json()) as { id: string };
    const other = await project.createProject();
    const list = await listScoresRoute(apiRequest(other.secretKey, "GET", `/scores?traceId=${traceId}`));
    expect(((await list.json()) as { data: unknown[] }).data).toEqual([]);
    const deletion = await deleteScoreRoute(apiRequest(other.secretKey, "DELETE", `/scores/${id}`), {
      params: Promise.resolve({ scoreId: id }),
    });
    expect(deletion.status).toBe(404);
    expect((await getTrace(traceId)).body.scores.map((score) => score.id)).toContain(id);
  });
});

describe("batch, list and delete", () => {
  it("validates the whole batch before storing any score, naming the failing index", async () => {
    const traceId = randomTraceId();
    const response = await createScoresBatchRoute(
      apiRequest(project.secretKey, "POST", "/scores/batch", {
        scores: [
          { traceId, name: "correctness", value: 1 },
          { traceId, name: "correctness", value: -1 },
        ],
      }),
    );
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { message: string } }).error.message).toContain("scores.1.value");
    const list = await listScoresRoute(apiRequest(project.secretKey, "GET", `/scores?traceId=${traceId}`));
    expect(((await list.json()) as { data: unknown[] }).data).toEqual([]);
  });

  it("lists with filters and pagination, and deletes", async () => {
    const traceId = randomTraceId();
    const response = await createScoresBatchRoute(
      apiRequest(project.secretKey, "POST", "/scores/batch", {
        scores: [
          { traceId, name: "correctness", value: 0.25, timestamp: "2026-11-20T10:00:00Z" },
          { traceId, name: "tone", value: "friendly", timestamp: "2026-11-20T10:00:01Z", source: "sdk" },
          { sessionId: "session-9", name: "csat_hint", value: "good", timestamp: "2026-11-20T10:00:02Z" },
        ],
      }),
    );
    expect(response.status).toBe(201);
    const { ids } = (await response.json()) as { ids: string[] };
    expect(ids).toHaveLength(3);

    const page1 = await listScoresRoute(apiRequest(project.secretKey, "GET", `/scores?traceId=${traceId}&limit=1`));
    const first = (await page1.json()) as { data: { id: string; name: string }[]; nextCursor: string | null };
    expect(first.data.map((score) => score.name)).toEqual(["tone"]);
    const page2 = await listScoresRoute(
      apiRequest(project.secretKey, "GET", `/scores?traceId=${traceId}&limit=1&cursor=${first.nextCursor}`),
    );
    expect(((await page2.json()) as { data: { name: string }[] }).data.map((score) => score.name)).toEqual([
      "correctness",
    ]);

    const bySource = await listScoresRoute(apiRequest(project.secretKey, "GET", "/scores?source=sdk&name=tone"));
    const toneScores = ((await bySource.json()) as { data: { value: number; stringValue: string }[] }).data;
    expect(toneScores[0]).toMatchObject({ value: 1, stringValue: "friendly" });

    const bySession = await listScoresRoute(apiRequest(project.secretKey, "GET", "/scores?sessionId=session-9"));
    expect(((await bySession.json()) as { data: { id: string }[] }).data.map((score) => score.id)).toEqual([ids[2]]);

    const deletion = await deleteScoreRoute(apiRequest(project.secretKey, "DELETE", `/scores/${ids[0]}`), {
      params: Promise.resolve({ scoreId: ids[0] as string }),
    });
    expect(deletion.status).toBe(200);
    const after = await listScoresRoute(apiRequest(project.secretKey, "GET", `/scores?traceId=${traceId}`));
    expect(((await after.json()) as { data: { name: string }[] }).data.map((score) => score.name)).toEqual(["tone"]);
  });
});
