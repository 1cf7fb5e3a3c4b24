export * from "./config.js";
export * from "./grpc.js";
export * from "./handler.js";
export { closeIngestProblems } from "./intake.js";
export * from "./server.js";
