export { auditRouter, type TAuditEventDto } from "./audit-router";
