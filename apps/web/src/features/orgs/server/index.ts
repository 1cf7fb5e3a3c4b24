export { orgRouter } from "./org-router";
