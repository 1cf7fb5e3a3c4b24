import { describe, expect, it } from "vitest";
import { z } from "zod";
import { EnvError, parseEnv, zUrl } from "./env.js";

const ZTestEnv = z.object({
  DATABASE_URL: zUrl(["postgres:", "postgresql:"]),
  PORT: z.coerce.number().int().default(3000),
});

describe("parseEnv", () => {
  it("returns typed values with defaults", () => {
    const env = parseEnv(ZTestEnv, { DATABASE_URL: "postgresql://u:p@localhost/db" });
    expect(env).toEqual({ DATABASE_URL: "postgresql://u:p@localhost/db", PORT: 3000 });
  });

  it("names a missing variable", () => {
    expect(() => parseEnv(ZTestEnv, {})).toThrowError(new EnvError("Invalid environment: DATABASE_URL is required"));
  });

  it("treats an empty value as missing", () => {
    expect(() => parseEnv(ZTestEnv, { DATABASE_URL: "" })).toThrowError(/DATABASE_URL is required/);
  });

  it("names a malformed variable and what was expected", () => {
    expect(() => parseEnv(ZTestEnv, { DATABASE_URL: "mysql://x", PORT: "abc" })).toThrowError(
      /DATABASE_URL is invalid: expected a URL starting with postgres:\/\/ or postgresql:\/\/; PORT is invalid/,
    );
  });
});
