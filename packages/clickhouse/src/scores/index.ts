export * from "./annotation-candidates.js";
export * from "./low-confidence.js";
export * from "./score-repository.js";
