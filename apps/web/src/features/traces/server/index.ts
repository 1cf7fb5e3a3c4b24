export { getTraceRoute, listTracesRoute } from "./trace-routes";
