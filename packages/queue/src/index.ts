export * from "./queues.js";
export * from "./redis.js";
