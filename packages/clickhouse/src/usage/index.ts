export { getIngestUsage, isIngestRequestStored, type TIngestUsage, type TIngestUsageDay } from "./ingest-usage.js";
