import { describe, expect, it } from "vitest";
import { getAuthEnvFrom, getEnabledOAuthProviders, type TAuthEnv } from "./auth-env";

const base: TAuthEnv = { SESSION_MAX_AGE_SECONDS: 3600, EMAIL_FROM: "Spanlens <a@b.c>" };

describe("getEnabledOAuthProviders", () => {
  it("offers a provider only when its client id is configured", () => {
    expect(getEnabledOAuthProviders(base)).toEqual([]);
    expect(getEnabledOAuthProviders({ ...base, GITHUB_CLIENT_ID: "id", GITHUB_CLIENT_SECRET: "s" })).toEqual([
      "github",
    ]);
    expect(
      getEnabledOAuthProviders({
        ...base,
        GITHUB_CLIENT_ID: "id",
        GITHUB_CLIENT_SECRET: "s",
        GOOGLE_CLIENT_ID: "id",
        GOOGLE_CLIENT_SECRET: "s",
      }),
    ).toEqual(["github", "google"]);
  });
});

describe("auth environment", () => {
  it("refuses a client id without its secret, naming the missing variable", () => {
    expect(() => getAuthEnvFrom({ GITHUB_CLIENT_ID: "id" })).toThrow(/GITHUB_CLIENT_SECRET/);
    expect(() => getAuthEnvFrom({ SMTP_URL: "http://mail" })).toThrow(/SMTP_URL/);
    expect(getAuthEnvFrom({}).SESSION_MAX_AGE_SECONDS).toBe(30 * 24 * 3600);
  });
});
