import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startInMemoryTracing } from "../test/in-memory.js";
import { withRequestContext } from "./baggage.js";
import { SpanlensApiError } from "./http.js";
import { createKpiClient } from "./kpis.js";
import { createScoresClient } from "./scores.js";
import { step } from "./step.js";

interface TReceived {
  path: string;
  authorization: string | undefined;
  body: Record<string, unknown>;
}

let server: Server;
let baseUrl: string;
let received: TReceived[] = [];
/** Status codes to answer with before answering 201. */
let failures: number[] = [];
let tracing: ReturnType<typeof startInMemoryTracing>;

beforeAll(async () => {
  tracing = startInMemoryTracing();
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>;
      received.push({ path: req.url ?? "", authorization: req.headers.authorization, body });
      const status = failures.shift();
      if (status) {
        res.writeHead(status, { "Content-Type": "application/json", "Retry-After": "0" });
        res.end(JSON.stringify({ error: { message: status === 400 ? "value: expected number" : "busy" } }));
        return;
      }
      res.writeHead(201, { "Content-Type": "application/json" });
      res.end(JSON.stringify({ id: body.id }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (!address || typeof address === "string") throw new Error("no port");
  baseUrl = `http://127.0.0.1:${address.port}`;
});
afterAll(async () => {
  await tracing.stop();
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  received = [];
  failures = [];
});

const TRACE_ID = "0af7651916cd43dd8448eb211c80319c";

describe("scores client", () => {
  it("posts thumbs as a boolean user_feedback score with Basic auth and an idempotency id", async () => {
    const scores = createScoresClient({ baseUrl, publicKey: "pk-sl-1", secretKey: "sk-sl-1" });
    const { id } = await scores.thumbs({ traceId: TRACE_ID, isPositive: false, comment: "outdated answer" });
    expect(received).toHaveLength(1);
    const [request] = received;
    expect(request?.path).toBe("/api/public/v1/scores");
    expect(request?.authorization).toBe(`Basic ${Buffer.from("pk-sl-1:sk-sl-1").toString("base64")}`);
    expect(request?.body).toEqual({
      id,
      traceId: TRACE_ID,
      name: "user_feedback",
      value: false,
      dataType: "boolean",
      comment: "outdated answer",
      source: "sdk",
    });
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("scores the active trace when no target is given, numeric and categorical", async () => {
    const scores = createScoresClient({ baseUrl, secretKey: "sk-sl-2" });
    const traceId = await step("rag.answer", async (span) => {
      await scores.numeric("confidence", 0.42);
      await scores.categorical("correctness", "partially_correct", { spanId: span.spanId, traceId: span.traceId });
      return span.traceId;
    });
    expect(received.map((request) => request.authorization)).toEqual(["Bearer sk-sl-2", "Bearer sk-sl-2"]);
    expect(received[0]?.body).toMatchObject({ traceId, name: "confidence", value: 0.42, dataType: "numeric" });
    expect(received[1]?.body).toMatchObject({
      traceId,
      name: "correctness",
      value: "partially_correct",
      label: "partially_correct",
      dataType: "categorical",
    });
  });

  it("retries a 503 with the same id, and reports a 400 with the server's message", async () => {
    const scores = createScoresClient({ baseUrl, secretKey: "sk-sl-3" });
    failures = [503];
    await scores.numeric("latency_ok", 1, { sessionId: "s-1", id: "score-fixed" });
    expect(received.map((request) => request.body.id)).toEqual(["score-fixed", "score-fixed"]);

    failures = [400];
    const rejected = scores.numeric("x", 1, { sessionId: "s-1" });
    await expect(rejected).rejects.toBeInstanceOf(SpanlensApiError);
    await expect(rejected).rejects.toThrow(/400 value: expected number/);
  });

  it("refuses a score without a target and malformed ids before sending", async () => {
    const scores = createScoresClient({ baseUrl, secretKey: "sk-sl-4" });
    expect(() => scores.numeric("x", 1)).toThrow(/traceId, spanId or sessionId/);
    expect(() => scores.numeric("x", 1, { traceId: "abc" })).toThrow(/32 lowercase hex/);
    expect(received).toHaveLength(0);
  });
});

describe("KPI client", () => {
  it("links a business event to the active trace and the request's user and session", async () => {
    const kpis = createKpiClient({ baseUrl, secretKey: "sk-sl-5" });
    const traceId = await withRequestContext({ userId: "u-9", sessionId: "s-9" }, () =>
      step("support.resolve", async (span) => {
        await kpis.record({ name: "ticket_resolved", value: 1, metadata: { channel: "chat" } });
        return span.traceId;
      }),
    );
    expect(received[0]?.path).toBe("/api/public/v1/kpis");
    expect(received[0]?.body).toMatchObject({
      name: "ticket_resolved",
      value: 1,
      traceId,
      userId: "u-9",
      sessionId: "s-9",
      metadata: { channel: "chat" },
    });
    expect(() => kpis.record({ name: "bad", value: Number.NaN })).toThrow(/finite numeric value/);
  });

  it("names the missing setting when there is no connection", async () => {
    await expect(
      createKpiClient({ baseUrl: "not a url", secretKey: "sk" }).record({ name: "x", value: 1 }),
    ).rejects.toThrow(/baseUrl/);
  });
});
