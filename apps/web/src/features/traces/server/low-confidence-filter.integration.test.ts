import { updateProjectEvalSettings } from "@spanlens/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createScoreRoute } from "../../scores/server/score-routes";
import { apiRequest, randomTraceId, startTestProject, storeRootSpan } from "../../scores/server/test-project";
import { listTracesRoute } from "./trace-routes";

let project: Awaited<ReturnType<typeof startTestProject>>;
const traces = { unsure: randomTraceId(), irrelevant: randomTraceId(), confident: randomTraceId() };

beforeAll(async () => {
  project = await startTestProject();
  const scores = [
    [traces.unsure, "confidence", 0.2],
    [traces.irrelevant, "confidence", 0.8],
    [traces.irrelevant, "context_relevance", 0.1],
    [traces.confident, "confidence", 0.9],
  ] as const;
  for (const traceId of Object.values(traces)) await storeRootSpan(project.projectId, traceId);
  for (const [traceId, name, value] of scores) {
    const response = await createScoreRoute(apiRequest(project.secretKey, "POST", "/scores", { traceId, name, value }));
    expect(response.status).toBe(201);
  }
});

afterAll(async () => {
  await project.stop();
});

const list = async (query: string) => {
  const response = await listTracesRoute(apiRequest(project.secretKey, "GET", `/traces?${query}`));
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};

describe("GET /api/public/v1/traces?lowConfidence=true", () => {
  it("says where to define low confidence while the project has no rule", async () => {
    const { status, body } = await list("lowConfidence=true");
    expect(status).toBe(400);
    expect(body).toMatchObject({ error: { message: expect.stringMatching(/^lowConfidence: .*Scores → Settings/) } });
  });

  it("returns the traces any of the project's rules marks as low confidence", async () => {
    await updateProjectEvalSettings(project.projectId, {
      lowConfidenceRules: [
        { scoreName: "confidence", operator: "lt", threshold: 0.5 },
        { scoreName: "context_relevance", operator: "lte", threshold: 0.2 },
      ],
      requireScoreConfig: false,
      monthlyJudgeBudgetUsd: null,
    });
    const { status, body } = await list("lowConfidence=true");
    expect(status).toBe(200);
    const ids = (body.data as { traceId: string }[]).map((trace) => trace.traceId).sort();
    expect(ids).toEqual([traces.unsure, traces.irrelevant].sort());

    const all = await list("");
    expect((all.body.data as unknown[]).length).toBe(3);
  });

  it("rejects a value that is not a switch, naming the field", async () => {
    const { status, body } = await list("lowConfidence=maybe");
    expect(status).toBe(400);
    expect(body).toMatchObject({ error: { message: expect.stringMatching(/lowConfidence/) } });
  });
});
