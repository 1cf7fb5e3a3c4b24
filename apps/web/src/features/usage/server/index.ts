export { usageRouter } from "./usage-router";
export { getUsageRoute } from "./usage-routes";
