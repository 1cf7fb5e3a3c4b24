export * from "./env.js";
export * from "./errors.js";
export * from "./logger.js";
export type * from "./otlp-types.js";
