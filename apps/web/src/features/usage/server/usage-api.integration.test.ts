import { randomUUID } from "node:crypto";
import { getClickHouse, insertRows, toClickHouseTime } from "@spanlens/clickhouse";
import { closeRedis, createIngestProblemRecorder, deleteQueuePrefix, getRedis, queuePrefix } from "@spanlens/queue";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiRequest, startTestProject } from "../../scores/server/test-project";
import { getUsageRoute, listIngestProblemsRoute } from "./usage-routes";
import { DAY_MS } from "./usage-schemas";

let project: Awaited<ReturnType<typeof startTestProject>>;

beforeAll(async () => {
  process.env.SPANLENS_QUEUE_PREFIX = `test-${randomUUID()}`;
  project = await startTestProject();
  const now = Date.now();
  const request = (id: string, atMs: number, spans: number) => ({
    project_id: project.projectId,
    request_id: id,
    received_at: toClickHouseTime(atMs),
    span_count: spans,
    bytes: spans * 1_000,
  });
  await insertRows(getClickHouse(), "ingest_receipts", [
    request("today-1", now - 60_000, 10),
    request("today-2", now - 30_000, 5),
    request("forty-days-ago", now - 40 * DAY_MS, 7),
  ]);
});

afterAll(async () => {
  await deleteQueuePrefix(queuePrefix(), getRedis());
  await closeRedis();
  await project.stop();
});

const getUsage = (query = "") => getUsageRoute(apiRequest(project.secretKey, "GET", `/usage${query}`));

describe("GET /usage", () => {
  it("answers the last 30 days by default, per UTC day", async () => {
    const response = await getUsage();
    expect(response.status).toBe(200);
    const usage = (await response.json()) as { days: { day: string; spans: number }[]; totals: unknown };
    expect(usage.totals).toEqual({ requests: 2, spans: 15, bytes: 15_000 });
    expect(usage.days.map((day) => day.spans).reduce((sum, spans) => sum + spans, 0)).toBe(15);
  });

  it("answers an explicit window", async () => {
    const from = new Date(Date.now() - 60 * DAY_MS).toISOString();
    const usage = (await (await getUsage(`?from=${from}`)).json()) as { totals: { requests: number; spans: number } };
    expect(usage.totals).toMatchObject({ requests: 3, spans: 22 });
  });

  it("refuses a window that is empty or too long, naming the field", async () => {
    const to = new Date().toISOString();
    const refused = async (query: string) => {
      const response = await getUsage(query);
      expect(response.status).toBe(400);
      return ((await response.json()) as { error: { message: string } }).error.message;
    };
    expect(await refused(`?from=${to}&to=${to}`)).toBe("from: must be before to");
    const longAgo = new Date(Date.now() - 400 * DAY_MS).toISOString();
    expect(await refused(`?from=${longAgo}&to=${to}`)).toBe("from: must be at most 366 days before to");
    expect(await refused("?from=yesterday")).toMatch(/^from: /);
  });
});

describe("GET /usage/problems", () => {
  it("lists what the receiver refused and the worker could not store for the key's project, newest first, with ISO times", async () => {
    const other = await project.createProject();
    let clock = Date.parse("2026-12-06T09:00:00.000Z");
    const problems = createIngestProblemRecorder({ redis: getRedis, flushMs: 3_600_000, now: () => clock });
    const refusal = {
      transport: "http",
      signal: "traces",
      status: 415,
      message: 'Unsupported Content-Type "text/plain": send application/x-protobuf or application/json',
      userAgent: "OTel-OTLP-Exporter-JavaScript/0.301.1",
    } as const;
    problems.record(project.projectId, refusal);
    problems.record(project.projectId, refusal);
    await problems.flush();
    clock += 60_000;
    problems.record(project.projectId, {
      ...refusal,
      transport: "grpc",
      status: 503,
      grpcStatus: "UNAVAILABLE",
      message: "Ingest queue is full",
    });
    await problems.flush();
    clock += 60_000;
    // What the worker adds: an accepted export it then failed to store for good.
    problems.record(project.projectId, {
      ...refusal,
      stage: "worker",
      status: 200,
      message: "ClickHouse refused rows of this request for spans: Cannot parse input",
      droppedRecords: 10,
      note: "Accepted, then not stored after 20 attempts.",
    });
    await problems.close();

    const response = await listIngestProblemsRoute(apiRequest(project.secretKey, "GET", "/usage/problems"));
    expect(response.status).toBe(200);
    const { data } = (await response.json()) as { data: Record<string, unknown>[] };
    expect(data).toEqual([
      expect.objectContaining({
        stage: "worker",
        status: 200,
        droppedRecords: 10,
        keptRecords: 0,
        note: "Accepted, then not stored after 20 attempts.",
        at: "2026-12-06T09:02:00.000Z",
      }),
      expect.objectContaining({
        stage: "receiver",
        status: 503,
        grpcStatus: "UNAVAILABLE",
        transport: "grpc",
        count: 1,
        at: "2026-12-06T09:01:00.000Z",
      }),
      expect.objectContaining({
        status: 415,
        transport: "http",
        count: 2,
        firstAt: "2026-12-06T09:00:00.000Z",
        at: "2026-12-06T09:00:00.000Z",
        message: refusal.message,
        userAgent: refusal.userAgent,
        droppedRecords: 0,
      }),
    ]);

    const others = await listIngestProblemsRoute(apiRequest(other.secretKey, "GET", "/usage/problems"));
    expect(await others.json()).toEqual({ data: [] });
  });

  it("answers 401 without a valid key", async () => {
    const response = await listIngestProblemsRoute(new Request("http://localhost/api/public/v1/usage/problems"));
    expect(response.status).toBe(401);
  });
});
