export { findProjectOrNotFound } from "./find-project";
export { getAppBaseUrl, getOtlpGrpcEndpoint, getOtlpTracesEndpoint, resolveOtlpGrpcEndpoint } from "./otlp-endpoint";
export { projectRouter } from "./project-router";
