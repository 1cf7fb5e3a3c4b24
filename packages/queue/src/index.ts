export * from "./consumer-worker.js";
export * from "./ingest-problems.js";
export * from "./queues.js";
export * from "./redis.js";
