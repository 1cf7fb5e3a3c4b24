export { savedViewRouter } from "./saved-view-router";
export { traceRouter } from "./trace-router";
export { getSpanRoute, getTraceRoute, getTraceTreeRoute, listTracesRoute } from "./trace-routes";
