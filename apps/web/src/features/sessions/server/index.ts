export { sessionRouter } from "./session-router";
