export * from "./score-row.js";
export * from "./span-row.js";
