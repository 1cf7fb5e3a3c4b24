export * from "./api-keys.js";
export * from "./client.js";
export * from "./demo.js";
export { Role } from "./generated/prisma/enums.js";
export { hashPassword, verifyPassword } from "./passwords.js";
export * from "./projects.js";
export * from "./users.js";
