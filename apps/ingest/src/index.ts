export * from "./config.js";
export * from "./handler.js";
export * from "./node-flags.js";
export * from "./server.js";
