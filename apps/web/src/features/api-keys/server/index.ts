export { apiKeyRouter, type TApiKeyDto } from "./api-key-router";
export { whoamiRoute } from "./whoami-route";
