export * from "./consumers.js";
export * from "./node-flags.js";
export * from "./processors/ingest-encoder.js";
export * from "./processors/otlp-ingest-processor.js";
export * from "./worker.js";
