export { usageRouter } from "./usage-router";
