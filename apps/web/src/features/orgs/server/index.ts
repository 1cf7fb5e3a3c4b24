export { findOrgOrNotFound } from "./find-org";
export { orgRouter } from "./org-router";
