import { getClickHouse, insertRows, toClickHouseTime } from "@spanlens/clickhouse";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiRequest, startTestProject } from "../../scores/server/test-project";
import { getUsageRoute } from "./usage-routes";
import { DAY_MS } from "./usage-schemas";

let project: Awaited<ReturnType<typeof startTestProject>>;

beforeAll(async () => {
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
