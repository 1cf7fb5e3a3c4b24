import { getClickHouse, getIngestUsage } from "@spanlens/clickhouse";
import { withPublicApi } from "../../../server/public-api/with-public-api";
import { usageWindow, ZIngestUsage, ZUsageQuery } from "./usage-schemas";

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
