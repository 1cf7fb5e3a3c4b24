import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// The SDK is a client of this API and no dependency of the web app; the test reaches it by
// path so the real client code (auth header, idempotency id, retries) talks to these routes.
import { createKpiClient, createScoresClient } from "../../../../../../packages/sdk/src/index.js";
import { createKpiRoute, listKpisRoute } from "../../kpis/server";
import { getTraceRoute } from "../../traces/server";
import { createScoreRoute } from "./score-routes";
import { apiRequest, randomTraceId, startTestProject, storeRootSpan } from "./test-project";

let project: Awaited<ReturnType<typeof startTestProject>>;
let server: Server;
let baseUrl: string;

const routes: Record<string, (request: Request) => Promise<Response>> = {
  "POST /api/public/v1/scores": createScoreRoute,
  "POST /api/public/v1/kpis": createKpiRoute,
};

beforeAll(async () => {
  project = await startTestProject();
  // A plain HTTP server in front of the route handlers, as Next serves them.
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", async () => {
      const route = routes[`${req.method} ${new URL(req.url ?? "/", "http://x").pathname}`];
      if (!route) {
        res.statusCode = 404;
        res.end();
        return;
      }
      const response = await route(
        new Request(`http://127.0.0.1${req.url}`, {
          method: req.method,
          headers: req.headers as Record<string, string>,
          body: Buffer.concat(chunks),
        }),
      );
      res.writeHead(response.status, { "content-type": "application/json" });
      res.end(await response.text());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (!address || typeof address === "string") throw new Error("no port");
  baseUrl = `http://127.0.0.1:${address.port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await project.stop();
});

describe("feedback through @spanlens/sdk", () => {
  it("stores thumbs and categorical feedback that appear on the trace, and KPIs that link to it", async () => {
    const traceId = randomTraceId();
    await storeRootSpan(project.projectId, traceId);
    const scores = createScoresClient({ baseUrl, secretKey: project.secretKey });
    const thumbs = await scores.thumbs({ traceId, isPositive: false, comment: "wrong policy cited" });
    const tone = await scores.categorical("tone", "curt", { traceId });
    const kpi = await createKpiClient({ baseUrl, secretKey: project.secretKey }).record({
      name: "ticket_resolved",
      value: 1,
      traceId,
    });

    const response = await getTraceRoute(apiRequest(project.secretKey, "GET", `/traces/${traceId}`), {
      params: Promise.resolve({ traceId }),
    });
    const trace = (await response.json()) as { scores: Record<string, unknown>[] };
    expect(trace.scores).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          id: thumbs.id,
          name: "user_feedback",
          value: 0,
          source: "sdk",
          comment: "wrong policy cited",
        }),
        expect.objectContaining({ id: tone.id, name: "tone", label: "curt", source: "sdk" }),
      ]),
    );
    const kpis = await listKpisRoute(apiRequest(project.secretKey, "GET", `/kpis?traceId=${traceId}`));
    expect(((await kpis.json()) as { data: unknown[] }).data).toEqual([
      expect.objectContaining({ id: kpi.id, name: "ticket_resolved", traceFound: true }),
    ]);
  });

  it("surfaces a rejected score as an error naming the field", async () => {
    const scores = createScoresClient({ baseUrl, secretKey: project.secretKey, maxAttempts: 1 });
    await expect(scores.numeric("latency_rating", Number.NaN, { traceId: randomTraceId() })).rejects.toThrow(
      /400 value:/,
    );
  });
});
