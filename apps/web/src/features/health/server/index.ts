export { runHealthChecks, type THealthReport } from "./run-health-checks";
export { storageChecks } from "./storage-checks";
