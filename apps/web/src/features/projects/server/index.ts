export { getOtlpTracesEndpoint } from "./otlp-endpoint";
export { projectRouter } from "./project-router";
