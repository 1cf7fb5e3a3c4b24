export { accountRouter } from "./account-router";
export { getEnabledOAuthProviders, type TOAuthProviderId } from "./auth-env";
export { clientIpFromHeaders } from "./client-ip";
