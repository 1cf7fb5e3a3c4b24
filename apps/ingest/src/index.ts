export * from "./config.js";
export * from "./grpc.js";
export * from "./handler.js";
export { closeIntake } from "./intake.js";
export * from "./server.js";
