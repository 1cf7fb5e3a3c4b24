export { traceRouter } from "./trace-router";
export { getTraceRoute, listTracesRoute } from "./trace-routes";
