import { getClickHouse, toScoreRow, toSpanRow } from "@spanlens/clickhouse";
import { normalizeSpan, type TNormalizedScore } from "@spanlens/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiRequest, randomSpanId, randomTraceId, startTestProject } from "../../scores/server/test-project";
import { getTraceRoute } from "./trace-routes";

let project: Awaited<ReturnType<typeof startTestProject>>;

beforeAll(async () => {
  project = await startTestProject();
});

afterAll(async () => {
  await project?.stop();
});

const SPANS = 300;
const OUTPUT_CHARS = 20_000;

/** A trace of `SPANS` generations with long outputs (6 MB in all), stored as the worker stores them, and one score. */
async function storeLongTrace(projectId: string): Promise<{ traceId: string; spanIds: string[] }> {
  const traceId = randomTraceId();
  const startNs = BigInt(Date.now() - 60_000) * 1_000_000n;
  const spans = Array.from({ length: SPANS }, (_, index) =>
    normalizeSpan({
      traceId,
      spanId: randomSpanId(),
      parentSpanId: null,
      name: `step ${index}`,
      kind: 3,
      startTimeUnixNano: String(startNs + BigInt(index) * 1_000_000n),
      endTimeUnixNano: String(startNs + BigInt(index) * 1_000_000n + 500_000n),
      attributes: {
        "gen_ai.operation.name": "chat",
        "gen_ai.request.model": "gpt-4o-mini",
        "gen_ai.output.messages": JSON.stringify([
          { role: "assistant", parts: [{ type: "text", content: `${index} ${"w".repeat(OUTPUT_CHARS)}` }] },
        ]),
      },
      events: [],
      links: [],
      status: { code: 1, message: "" },
      resource: { "service.name": "agent" },
      scope: { name: "test", version: "1", attributes: {} },
    }),
  );
  // Stored out of order: the reply orders them by start time.
  const rows = spans.map((span) => toSpanRow(projectId, span)).reverse();
  await getClickHouse().insert({ table: "spans", values: rows, format: "JSONEachRow" });
  const score: TNormalizedScore = {
    traceId,
    spanId: null,
    name: "correctness",
    value: 1,
    label: null,
    comment: null,
    scope: "trace",
    source: "otlp",
  };
  await getClickHouse().insert({
    table: "scores",
    values: [toScoreRow(projectId, score, Date.now())],
    format: "JSONEachRow",
  });
  return { traceId, spanIds: spans.map((span) => span.spanId) };
}

const getTrace = (traceId: string, secretKey = project.secretKey) =>
  getTraceRoute(apiRequest(secretKey, "GET", `/traces/${traceId}`), { params: Promise.resolve({ traceId }) });

describe("GET /api/public/v1/traces/{traceId}", () => {
  it("writes a long trace span by span, then its scores", async () => {
    const { traceId, spanIds } = await storeLongTrace(project.projectId);
    const response = await getTrace(traceId);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json");
    const chunks: Uint8Array[] = [];
    const reader = response.body?.getReader();
    for (let read = await reader?.read(); read && !read.done; read = await reader?.read()) chunks.push(read.value);
    // One piece per span and the two ends: never the whole reply in one string.
    expect(chunks.length).toBe(SPANS + 2);
    expect(Math.max(...chunks.map((chunk) => chunk.byteLength))).toBeLessThan(OUTPUT_CHARS * 2);
    const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as {
      traceId: string;
      spans: { spanId: string; name: string; outputMessages: unknown[] }[];
      scores: { name: string; value: number }[];
    };
    expect(body.traceId).toBe(traceId);
    expect(body.spans.map((span) => span.spanId)).toEqual(spanIds);
    expect(body.spans[SPANS - 1]?.name).toBe(`step ${SPANS - 1}`);
    expect(JSON.stringify(body.spans[7]?.outputMessages)).toContain(`7 ${"w".repeat(OUTPUT_CHARS)}"`);
    expect(body.scores.map((score) => [score.name, score.value])).toEqual([["correctness", 1]]);
  });

  it("lets a client leave mid-reply", async () => {
    const { traceId } = await storeLongTrace(project.projectId);
    const reader = (await getTrace(traceId)).body?.getReader();
    const first = await reader?.read();
    expect(new TextDecoder().decode(first?.value)).toBe(`{"traceId":"${traceId}","spans":[`);
    await reader?.cancel();
    // The next request is served as usual.
    expect((await getTrace(traceId)).status).toBe(200);
  });

  it("answers 404 for a trace it does not have, and for another project's trace", async () => {
    const { traceId } = await storeLongTrace(project.projectId);
    const other = await project.createProject();
    for (const response of [await getTrace(randomTraceId()), await getTrace(traceId, other.secretKey)]) {
      expect(response.status).toBe(404);
      expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(
        /not found in this project/,
      );
    }
  });
});
