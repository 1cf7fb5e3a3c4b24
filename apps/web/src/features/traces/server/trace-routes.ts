import { getClickHouse, getSpan, listScoresOfTrace, streamTraceSpans } from "@spanlens/clickhouse";
import { AppError } from "@spanlens/core";
import { streamedJsonArray } from "../../../server/public-api/streamed-json";
import { withPublicApi } from "../../../server/public-api/with-public-api";
import { findTraces, findTraceTree } from "./find-traces";
import {
  ZListTracesQuery,
  ZListTracesResponse,
  ZSpan,
  ZSpanParams,
  ZTraceDetail,
  ZTraceParams,
  ZTraceTree,
} from "./trace-schemas";

export const listTracesRoute = withPublicApi(
  {
    method: "GET",
    path: "/traces",
    summary: "List traces with combinable filters, sorting and cursor pagination",
    tags: ["traces"],
    request: { query: ZListTracesQuery },
    response: ZListTracesResponse,
  },
  ({ projectId, query }) => findTraces(projectId, query),
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
  // Streamed: a trace of thousands of spans with long prompts and outputs reaches hundreds
  // of megabytes, which a reply built in memory held several times over.
  async ({ projectId, params }) => {
    const client = getClickHouse();
    // Scores first, so nothing is left to fail once the spans' query is open.
    const scores = await listScoresOfTrace(client, projectId, params.traceId);
    const spans = streamTraceSpans(client, projectId, params.traceId);
    const first = await spans.next();
    if (first.done) throw new AppError("NOT_FOUND", `Trace ${params.traceId} not found in this project`);
    const all = (async function* () {
      yield first.value;
      yield* spans;
    })();
    return streamedJsonArray(
      all,
      `{"traceId":${JSON.stringify(params.traceId)},"spans":[`,
      `],"scores":${JSON.stringify(scores)}}`,
    );
  },
);

export const getTraceTreeRoute = withPublicApi(
  {
    method: "GET",
    path: "/traces/{traceId}/tree",
    summary: "A trace's span tree without payloads, with its scores and linked KPI events",
    tags: ["traces"],
    request: { params: ZTraceParams },
    response: ZTraceTree,
  },
  ({ projectId, params }) => findTraceTree(projectId, params.traceId),
);

export const getSpanRoute = withPublicApi(
  {
    method: "GET",
    path: "/traces/{traceId}/spans/{spanId}",
    summary: "One span with its payload (messages, documents, prompt, usage, error, attributes)",
    tags: ["traces"],
    request: { params: ZSpanParams },
    response: ZSpan,
  },
  async ({ projectId, params }) => {
    const span = await getSpan(getClickHouse(), projectId, params.traceId, params.spanId);
    if (!span) throw new AppError("NOT_FOUND", `Span ${params.spanId} not found in trace ${params.traceId}`);
    return span;
  },
);
