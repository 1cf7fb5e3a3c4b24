import { getClickHouse, getIngestUsage } from "@spanlens/clickhouse";
import { withPublicApi } from "../../../server/public-api/with-public-api";
import { listIngestProblems } from "./ingest-problems";
import { usageWindow, ZIngestProblems, ZIngestUsage, ZUsageQuery } from "./usage-schemas";

export const getUsageRoute = withPublicApi(
  {
    method: "GET",
    path: "/usage",
    summary: "Spans, requests and bytes the project's exporters sent, per UTC day",
    tags: ["usage"],
    request: { query: ZUsageQuery },
    response: ZIngestUsage,
  },
  async ({ projectId, query }) => getIngestUsage(getClickHouse(), { projectId, ...usageWindow(query) }),
);

export const listIngestProblemsRoute = withPublicApi(
  {
    method: "GET",
    path: "/usage/problems",
    summary: "Exports the receiver refused or accepted only in part, with what each exporter was told",
    tags: ["usage"],
    request: {},
    response: ZIngestProblems,
  },
  async ({ projectId }) => listIngestProblems(projectId),
);
