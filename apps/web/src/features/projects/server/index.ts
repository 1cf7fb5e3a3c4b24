export { findProjectOrNotFound } from "./find-project";
export { getAppBaseUrl, getOtlpTracesEndpoint } from "./otlp-endpoint";
export { projectRouter } from "./project-router";
