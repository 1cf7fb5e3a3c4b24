export { IngestProblemsPanel } from "./components/ingest-problems-panel";
export { IngestUsagePanel } from "./components/ingest-usage-panel";
export { LatestRefusalNotice } from "./components/latest-refusal-notice";
