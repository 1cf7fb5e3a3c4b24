export { usageRouter } from "./usage-router";
export { getUsageRoute, listIngestProblemsRoute } from "./usage-routes";
