export * from "./decision-repository.js";
