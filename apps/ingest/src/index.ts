export * from "./config.js";
export * from "./handler.js";
export * from "./server.js";
