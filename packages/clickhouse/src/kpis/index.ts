export * from "./kpi-repository.js";
