import { explainEvaluator, getClickHouse, getTrace, listScores } from "@spanlens/clickhouse";
import { getPrisma, JUDGE_TEMPLATES, saveEvaluator, saveLlmConnection, updateProjectEvalSettings } from "@spanlens/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ingestTrace,
  startEvaluationWorker,
  startFakeJudge,
  type TFakeJudge,
  traceIdFor,
  waitFor,
} from "./evaluation.test-support.js";
import { isTraceSampled } from "./filter-and-sampling.js";

let worker: Awaited<ReturnType<typeof startEvaluationWorker>>;
let judge: TFakeJudge;

beforeAll(async () => {
  worker = await startEvaluationWorker();
  judge = await startFakeJudge();
});

afterAll(async () => {
  await judge.close();
  await worker.stop();
});

const runsOf = (evaluatorId: string) => getPrisma().evaluatorRun.findMany({ where: { evaluatorId } });
const isSettled = (runs: { status: string }[]) =>
  runs.every((run) => run.status === "SUCCEEDED" || run.status === "FAILED");

describe("online evaluators", () => {
  it("scores about half of the matching traces at 50% sampling and none of the others", async () => {
    const project = await worker.createProject();
    const evaluator = await saveEvaluator(project.id, {
      name: "mentions vacation days",
      scoreName: "mentions_days",
      config: { type: "contains", field: "output", substrings: ["days"], mode: "any" },
      filter: { tags: ["domain:hr"] },
      samplingRate: 0.5,
    });
    const hrTraces = Array.from({ length: 40 }, (_, index) => traceIdFor(`hr-${index}`));
    const itTraces = Array.from({ length: 20 }, (_, index) => traceIdFor(`it-${index}`));
    for (const traceId of hrTraces) {
      await ingestTrace(project.id, {
        traceId,
        tags: ["domain:hr"],
        question: "Vacation?",
        answer: "You get 25 days.",
      });
    }
    for (const traceId of itTraces) {
      await ingestTrace(project.id, { traceId, tags: ["domain:it"], question: "VPN?", answer: "Use 25 days." });
    }
    const expected = hrTraces.filter((traceId) => isTraceSampled(traceId, 0.5));
    expect(expected.length).toBeGreaterThanOrEqual(12);
    expect(expected.length).toBeLessThanOrEqual(28);

    const runs = await waitFor(
      () => runsOf(evaluator.id),
      (value) => value.length === expected.length && isSettled(value),
    );
    expect(runs.every((run) => run.status === "SUCCEEDED")).toBe(true);
    const scores = await waitFor(
      () => listScores(getClickHouse(), { projectId: project.id, name: "mentions_days", limit: 500 }),
      (value) => value.data.length === expected.length,
    );
    expect(scores.data.map((score) => score.traceId).sort()).toEqual([...expected].sort());
    expect(scores.data[0]).toMatchObject({
      source: "evaluator",
      evaluatorId: evaluator.id,
      evaluatorVersion: "1",
      dataType: "boolean",
      value: 1,
    });

    const explanation = await waitFor(
      () => explainEvaluator(getClickHouse(), project.id, evaluator.id, new Date(Date.now() - 3_600_000)),
      (value) =>
        value.seen === 60 && value.decisions.some((row) => row.decision === "scored" && row.traces === expected.length),
    );
    expect(explanation.matched).toBe(40);
    expect(explanation.decisions).toEqual(
      expect.arrayContaining([
        { decision: "filtered_out", reason: 'tags: missing "domain:hr"', traces: 20 },
        { decision: "sampled_out", reason: "outside the 50% sample", traces: 40 - expected.length },
        { decision: "scored", reason: "", traces: expected.length },
      ]),
    );
  });

  it("evaluates a trace whose spans arrive in several requests once, after it is quiet", async () => {
    const project = await worker.createProject();
    const evaluator = await saveEvaluator(project.id, {
      name: "final answer",
      scoreName: "final_answer",
      config: { type: "contains", field: "output", substrings: ["part 2"], mode: "any" },
    });
    const traceId = traceIdFor("split-trace");
    for (let part = 0; part < 3; part++) {
      await ingestTrace(project.id, { traceId, tags: [], question: "q", answer: `part ${part}` });
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const runs = await waitFor(
      () => runsOf(evaluator.id),
      (value) => value.length === 1 && isSettled(value),
    );
    expect(runs[0]).toMatchObject({ status: "SUCCEEDED", attempts: 1 });
    // Evaluated after the last request: the stored answer is the last part's.
    const scores = await listScores(getClickHouse(), { projectId: project.id, traceId, limit: 10 });
    expect(scores.data).toEqual([
      expect.objectContaining({ name: "final_answer", value: 1, comment: "found: part 2" }),
    ]);
  });

  it("runs an LLM judge against an OpenAI-compatible endpoint, checks its prompt, stores its verdict and traces the call", async () => {
    const project = await worker.createProject();
    const connection = await saveLlmConnection(project.id, {
      name: "local judge",
      provider: "openai",
      baseUrl: judge.baseUrl,
      apiKey: "sk-test-judge-key-1234",
      defaultModel: "gpt-4o-mini",
      requestsPerMinute: 100,
    });
    expect(connection.apiKeyPreview).toBe("…1234");
    const stored = await getPrisma().llmConnection.findUniqueOrThrow({ where: { id: connection.id } });
    expect(stored.encryptedApiKey).not.toContain("sk-test-judge-key");

    const evaluator = await saveEvaluator(project.id, {
      name: "faithfulness",
      scoreName: "faithfulness",
      config: { type: "llm_judge", template: "faithfulness", prompt: JUDGE_TEMPLATES.faithfulness },
      llmConnectionId: connection.id,
    });
    judge.reply.status = 200;
    judge.reply.content =
      '```json\n{"score": 0.8, "reasoning": "The 25 days claim is supported by the handbook."}\n```';
    const traceId = traceIdFor("judge-me");
    await ingestTrace(project.id, {
      traceId,
      tags: ["domain:hr"],
      question: "How many vacation days do I get?",
      answer: "You get 25 vacation days.",
      documents: [{ content: "Employees get 25 vacation days.", score: 0.82 }],
    });

    const [run] = await waitFor(
      () => runsOf(evaluator.id),
      (value) => value.length === 1 && isSettled(value),
    );
    expect(run).toMatchObject({ status: "SUCCEEDED", error: null });

    const request = judge.requests.at(-1);
    if (!request) throw new Error("the judge received no request");
    expect(request.authorization).toBe("Bearer sk-test-judge-key-1234");
    expect(request.body).toMatchObject({
      model: "gpt-4o-mini",
      temperature: 0,
      response_format: { type: "json_object" },
    });
    const prompt = (request.body.messages as { role: string; content: string }[]).find(
      (message) => message.role === "user",
    )?.content;
    expect(prompt).toContain("[1] Employees get 25 vacation days.");
    expect(prompt).toContain("Answer: You get 25 vacation days.");
    expect(prompt).toContain('Reply with a JSON object only: {"score"');

    const scores = await listScores(getClickHouse(), { projectId: project.id, traceId, limit: 10 });
    expect(scores.data).toHaveLength(1);
    const score = scores.data[0];
    expect(score).toMatchObject({
      name: "faithfulness",
      value: 0.8,
      dataType: "numeric",
      comment: "The 25 days claim is supported by the handbook.",
      source: "evaluator",
      judgeTraceId: run?.judgeTraceId,
    });

    const judgeTrace = await getTrace(getClickHouse(), project.id, run?.judgeTraceId as string);
    const judgeSpan = judgeTrace?.spans[0];
    expect(judgeSpan).toMatchObject({
      kind: "generation",
      model: "gpt-4o-mini-2024-07-18",
      provider: "openai",
      tags: expect.arrayContaining(["spanlens:evaluator"]),
      usage: expect.objectContaining({ inputTokens: 180, outputTokens: 24 }),
    });
    expect(JSON.stringify(judgeSpan?.outputMessages)).toContain("supported by the handbook");
    expect(run?.costUsd).toBeCloseTo(judgeSpan?.cost.total ?? -1, 10);
  });

  it("marks a run failed with the reason when the judge rejects the key, and stops at the project's budget", async () => {
    const project = await worker.createProject();
    const connection = await saveLlmConnection(project.id, {
      name: "bad key",
      provider: "openai",
      baseUrl: judge.baseUrl,
      apiKey: "sk-wrong",
      defaultModel: "gpt-4o-mini",
      requestsPerMinute: 100,
    });
    const evaluator = await saveEvaluator(project.id, {
      name: "toxicity",
      scoreName: "toxicity",
      config: { type: "llm_judge", template: "toxicity", prompt: JUDGE_TEMPLATES.toxicity },
      llmConnectionId: connection.id,
      filter: { tags: ["rejected-key"] },
    });
    judge.reply.status = 401;
    await ingestTrace(project.id, {
      traceId: traceIdFor("bad-key"),
      tags: ["rejected-key"],
      question: "q",
      answer: "a",
    });
    const [failed] = await waitFor(
      () => runsOf(evaluator.id),
      (value) => value.length === 1 && isSettled(value),
    );
    expect(failed?.status).toBe("FAILED");
    expect(failed?.error).toContain("judge endpoint answered 401");

    judge.reply.status = 200;
    await updateProjectEvalSettings(project.id, {
      lowConfidenceRules: [],
      requireScoreConfig: false,
      monthlyJudgeBudgetUsd: 0,
    });
    const budgetTrace = traceIdFor("over-budget");
    await ingestTrace(project.id, { traceId: budgetTrace, tags: ["rejected-key"], question: "q", answer: "a" });
    const runs = await waitFor(
      () => runsOf(evaluator.id),
      (value) => value.length === 2 && isSettled(value),
    );
    const overBudget = runs.find((run) => run.traceId === budgetTrace);
    expect(overBudget?.status).toBe("FAILED");
    expect(overBudget?.error).toContain("LLM-judge budget of $0 for this month is spent");
  });
});
