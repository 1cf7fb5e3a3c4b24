import { getTrace } from "@spanlens/clickhouse";
import { DEMO_SCENARIOS, seedDemoTraces } from "rag-qa-bot";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getClickHouse, startPipeline, type TPipeline, waitFor } from "./pipeline-harness.js";

let pipeline: TPipeline;

beforeAll(async () => {
  pipeline = await startPipeline();
});

afterAll(async () => {
  await pipeline.stop();
});

describe("first-run demo seed", () => {
  it("stores one trace per scripted question with its failure, and warns (once) when scores cannot be recorded", async () => {
    const warnings: string[] = [];
    const startedAt = Date.now();
    // The harness serves OTLP only, so the scores and KPI endpoints answer 404 here.
    const results = await seedDemoTraces({
      baseUrl: pipeline.baseUrl,
      publicKey: pipeline.publicKey,
      secretKey: pipeline.secretKey,
      onWarning: (message) => warnings.push(message),
    });
    const seedMs = Date.now() - startedAt;

    expect(results.map((result) => result.scenario.outcome)).toEqual(
      DEMO_SCENARIOS.map((scenario) => scenario.outcome),
    );
    for (const result of results) {
      const stored = await waitFor(
        () => getTrace(getClickHouse(), pipeline.projectId, result.traceId),
        // A failing tool call stops the pipeline after two spans; a full answer has seven.
        (value) => (value?.spans.length ?? 0) === (result.scenario.outcome === "exception" ? 2 : 7),
      );
      const root = stored?.spans.find((span) => span.parentSpanId === null);
      expect(root).toMatchObject({ name: "rag.answer", userId: result.scenario.userId, environment: "demo" });
      expect(root?.statusCode).toBe(result.scenario.outcome === "exception" ? "error" : "unset");
    }
    const byOutcome = (outcome: string) => results.find((result) => result.scenario.outcome === outcome);
    expect(byOutcome("outdated_chunk")?.documents[0]?.chunk.metadata.isCurrent).toBe(false);
    expect(byOutcome("irrelevant_retrieval")?.confidence).toBeLessThan(0.3);
    expect(byOutcome("good")?.confidence).toBeGreaterThan(0.5);

    expect(warnings).toHaveLength(3);
    expect(warnings.join("\n")).toMatch(/confidence score: \/api\/public\/v1\/scores: 404/);
    expect(warnings.join("\n")).toMatch(/could not record feedback: \/api\/public\/v1\/scores: 404/);
    expect(warnings.join("\n")).toMatch(/could not record KPI events: \/api\/public\/v1\/kpis: 404/);
    // Startup budget for the seed is 15 s; the slow scenario alone sleeps 1.5 s.
    expect(seedMs).toBeLessThan(15_000);
  });
});
