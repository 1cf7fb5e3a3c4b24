import { randomUUID } from "node:crypto";
import { findKpiEventTimestamps, getClickHouse, insertKpiEvents, listKpiEvents } from "@spanlens/clickhouse";
import { withPublicApi } from "../../../server/public-api/with-public-api";
import {
  type TCreateKpiRequest,
  ZCreateKpiRequest,
  ZCreateKpiResponse,
  ZCreateKpisBatchRequest,
  ZCreateKpisBatchResponse,
  ZListKpisQuery,
  ZListKpisResponse,
} from "./kpi-schemas";

async function storeKpiEvents(projectId: string, requests: readonly TCreateKpiRequest[]): Promise<string[]> {
  const now = Date.now();
  const resent = await findKpiEventTimestamps(
    getClickHouse(),
    projectId,
    requests.flatMap((request) => (request.id && !request.timestamp ? [{ name: request.name, id: request.id }] : [])),
  );
  const events = requests.map((request) => ({
    id: request.id ?? randomUUID(),
    name: request.name,
    value: request.value,
    traceId: request.traceId ?? null,
    sessionId: request.sessionId ?? null,
    userId: request.userId ?? null,
    metadata: Object.fromEntries(
      Object.entries(request.metadata ?? {}).map(([key, value]) => [
        key,
        typeof value === "string" ? value : JSON.stringify(value),
      ]),
    ),
    timestampMs: request.timestamp
      ? Date.parse(request.timestamp)
      : (resent.get(`${request.name}\u0000${request.id}`) ?? now),
  }));
  await insertKpiEvents(getClickHouse(), projectId, events);
  return events.map((event) => event.id);
}

export const createKpiRoute = withPublicApi(
  {
    method: "POST",
    path: "/kpis",
    summary: "Record a business KPI event; it links to its trace/session/user whenever they arrive",
    tags: ["kpis"],
    request: { body: ZCreateKpiRequest },
    response: ZCreateKpiResponse,
    successStatus: 201,
  },
  async ({ projectId, body }) => {
    const [id] = await storeKpiEvents(projectId, [body]);
    return { id: id as string };
  },
);

export const createKpisBatchRoute = withPublicApi(
  {
    method: "POST",
    path: "/kpis/batch",
    summary: "Record up to 1,000 KPI events at once",
    tags: ["kpis"],
    request: { body: ZCreateKpisBatchRequest },
    response: ZCreateKpisBatchResponse,
    successStatus: 201,
  },
  async ({ projectId, body }) => ({ ids: await storeKpiEvents(projectId, body.events) }),
);

export const listKpisRoute = withPublicApi(
  {
    method: "GET",
    path: "/kpis",
    summary: "List KPI events, newest first, with whether each one's trace is stored",
    tags: ["kpis"],
    request: { query: ZListKpisQuery },
    response: ZListKpisResponse,
  },
  async ({ projectId, query }) =>
    listKpiEvents(getClickHouse(), {
      ...query,
      projectId,
      from: query.from ? new Date(query.from) : undefined,
      to: query.to ? new Date(query.to) : undefined,
    }),
);
