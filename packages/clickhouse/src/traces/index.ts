export * from "./trace-detail.js";
export * from "./trace-queries.js";
