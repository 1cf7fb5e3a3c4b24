export { IngestUsagePanel } from "./components/ingest-usage-panel";
