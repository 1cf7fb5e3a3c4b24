import { getClickHouse, getTrace, listTraces } from "@spanlens/clickhouse";
import { AppError } from "@spanlens/core";
import { withPublicApi } from "../../../server/public-api/with-public-api";
import { ZListTracesQuery, ZListTracesResponse, ZTraceDetail, ZTraceParams } from "./trace-schemas";

const DAY_MS = 24 * 3600 * 1000;

export const listTracesRoute = withPublicApi(
  {
    method: "GET",
    path: "/traces",
    summary: "List traces, newest first, with filters and cursor pagination",
    tags: ["traces"],
    request: { query: ZListTracesQuery },
    response: ZListTracesResponse,
  },
  async ({ projectId, query }) => {
    const to = query.to ? new Date(query.to) : new Date();
    const from = query.from ? new Date(query.from) : new Date(to.getTime() - DAY_MS);
    if (from >= to) throw new AppError("BAD_REQUEST", "from: must be before `to`");
    return listTraces(getClickHouse(), { ...query, projectId, from, to });
  },
);

export const getTraceRoute = withPublicApi(
  {
    method: "GET",
    path: "/traces/{traceId}",
    summary: "One trace with every normalized span and its scores",
    tags: ["traces"],
    request: { params: ZTraceParams },
    response: ZTraceDetail,
  },
  async ({ projectId, params }) => {
    const trace = await getTrace(getClickHouse(), projectId, params.traceId);
    if (!trace) throw new AppError("NOT_FOUND", `Trace ${params.traceId} not found in this project`);
    return { traceId: params.traceId, ...trace };
  },
);
