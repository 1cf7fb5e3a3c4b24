export * from "./session-queries.js";
export * from "./trace-detail.js";
export * from "./trace-filter.js";
export * from "./trace-queries.js";
