export * from "./config.js";
export * from "./grpc.js";
export * from "./handler.js";
export * from "./server.js";
