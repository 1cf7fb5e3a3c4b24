export { RecentTraces } from "./components/recent-traces";
export { TraceExplorer } from "./components/trace-explorer";
export { TraceView } from "./components/trace-view";
export { formatCost, formatDuration, formatTime, formatTokens } from "./lib/format";
