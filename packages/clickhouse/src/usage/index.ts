export { getIngestUsage, type TIngestUsage, type TIngestUsageDay } from "./ingest-usage.js";
