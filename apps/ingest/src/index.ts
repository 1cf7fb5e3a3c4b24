export * from "./handler.js";
export * from "./server.js";
