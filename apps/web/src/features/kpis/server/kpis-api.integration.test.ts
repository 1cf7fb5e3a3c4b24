import { getClickHouse, listKpiEventsForTrace } from "@spanlens/clickhouse";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiRequest, randomTraceId, startTestProject, storeRootSpan } from "../../scores/server/test-project";
import { createKpiRoute, createKpisBatchRoute, listKpisRoute } from "./kpi-routes";

let project: Awaited<ReturnType<typeof startTestProject>>;

beforeAll(async () => {
  project = await startTestProject();
});

afterAll(async () => {
  await project.stop();
});

type TKpiList = {
  data: { id: string; name: string; value: number; traceFound: boolean }[];
  nextCursor: string | null;
};

const listKpis = async (query: string) =>
  (await (await listKpisRoute(apiRequest(project.secretKey, "GET", `/kpis?${query}`))).json()) as TKpiList;

describe("KPI events", () => {
  it("links an event posted before its trace once the trace arrives", async () => {
    const traceId = randomTraceId();
    const response = await createKpiRoute(
      apiRequest(project.secretKey, "POST", "/kpis", {
        name: "conversion",
        value: 49.9,
        traceId,
        metadata: { plan: "pro" },
      }),
    );
    expect(response.status).toBe(201);
    const { id } = (await response.json()) as { id: string };

    expect((await listKpis(`traceId=${traceId}`)).data).toEqual([
      expect.objectContaining({ id, name: "conversion", value: 49.9, traceFound: false }),
    ]);
    expect(await listKpiEventsForTrace(getClickHouse(), project.projectId, traceId)).toEqual([
      expect.objectContaining({ id, linkedBy: "trace" }),
    ]);

    await storeRootSpan(project.projectId, traceId, { "session.id": "session-kpi", "user.id": "user-kpi" });

    expect((await listKpis(`traceId=${traceId}`)).data).toEqual([expect.objectContaining({ id, traceFound: true })]);
  });

  it("links session- and user-level events to the trace through its session and user at read time", async () => {
    const traceId = randomTraceId();
    const batch = await createKpisBatchRoute(
      apiRequest(project.secretKey, "POST", "/kpis/batch", {
        events: [
          { id: "csat-1", name: "csat", value: 5, sessionId: "session-late" },
          { id: "revenue-1", name: "revenue", value: 120, userId: "user-late" },
          { id: "other-1", name: "csat", value: 1, sessionId: "someone-else" },
        ],
      }),
    );
    expect(batch.status).toBe(201);
    expect(await listKpiEventsForTrace(getClickHouse(), project.projectId, traceId)).toEqual([]);

    await storeRootSpan(project.projectId, traceId, { "session.id": "session-late", "user.id": "user-late" });

    const linked = await listKpiEventsForTrace(getClickHouse(), project.projectId, traceId);
    expect(linked.map((event) => [event.id, event.linkedBy]).sort()).toEqual([
      ["csat-1", "session"],
      ["revenue-1", "user"],
    ]);
  });

  it("stores one event per client id and rejects bad input naming the field", async () => {
    const body = { id: "signup-7", name: "signup", value: 1 };
    for (let attempt = 0; attempt < 2; attempt++) {
      expect((await createKpiRoute(apiRequest(project.secretKey, "POST", "/kpis", body))).status).toBe(201);
    }
    expect((await listKpis("name=signup")).data).toHaveLength(1);

    const bad = await createKpiRoute(apiRequest(project.secretKey, "POST", "/kpis", { name: "signup", value: "1" }));
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toContain("value:");
    const badTrace = await createKpiRoute(
      apiRequest(project.secretKey, "POST", "/kpis", { name: "signup", value: 1, traceId: "xyz" }),
    );
    expect(((await badTrace.json()) as { error: { message: string } }).error.message).toContain("traceId:");
  });

  it("pages newest first within a time window and refuses a cursor it did not issue", async () => {
    const base = Date.parse("2026-03-01T12:00:00.000Z");
    const events = [0, 1, 2, 3, 4].map((minute) => ({
      id: `paged-${minute}`,
      name: "paged_event",
      value: minute,
      timestamp: new Date(base + minute * 60_000).toISOString(),
    }));
    const batch = await createKpisBatchRoute(apiRequest(project.secretKey, "POST", "/kpis/batch", { events }));
    expect(batch.status).toBe(201);

    const window = `name=paged_event&from=${new Date(base + 60_000).toISOString()}&to=${new Date(base + 4 * 60_000).toISOString()}`;
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: TKpiList = await listKpis(`${window}&limit=2${cursor ? `&cursor=${cursor}` : ""}`);
      expect(page.data.length).toBeLessThanOrEqual(2);
      seen.push(...page.data.map((event) => event.id));
      cursor = page.nextCursor;
    } while (cursor);
    // `from` is inclusive, `to` exclusive; newest first; nothing repeated or skipped.
    expect(seen).toEqual(["paged-3", "paged-2", "paged-1"]);

    const forged = await listKpisRoute(apiRequest(project.secretKey, "GET", "/kpis?cursor=not-a-cursor"));
    expect(forged.status).toBe(400);
    expect(((await forged.json()) as { error: { message: string } }).error.message).toMatch(/^cursor: /);
  });
});
