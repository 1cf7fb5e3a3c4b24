export * from "./colocated-ingest.js";
export * from "./env.js";
export * from "./errors.js";
export * from "./logger.js";
export type * from "./otlp-types.js";
export * from "./pricing/index.js";
export * from "./queues.js";
export * from "./semconv/index.js";
export * from "./timeout.js";
