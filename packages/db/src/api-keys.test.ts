import { AppError } from "@spanlens/core";
import { describe, expect, it } from "vitest";
import { hashSecretKey, parseAuthorization } from "./api-keys.js";

const basic = (value: string) => `Basic ${Buffer.from(value).toString("base64")}`;

describe("parseAuthorization", () => {
  it("reads a bearer secret key", () => {
    expect(parseAuthorization("Bearer sk-sl-abc")).toEqual({ secretKey: "sk-sl-abc" });
  });

  it("reads Basic public:secret", () => {
    expect(parseAuthorization(basic("pk-sl-1:sk-sl-2"))).toEqual({ publicKey: "pk-sl-1", secretKey: "sk-sl-2" });
  });

  it.each([
    [null, /Missing Authorization header/],
    ["Bearer pk-sl-abc", /secret key starts with sk-sl-/],
    [basic("sk-sl-2"), /Malformed Basic credentials/],
    [basic("pk-sl-1:pk-sl-2"), /Malformed Basic credentials/],
    ["Token abc", /Unsupported Authorization scheme/],
  ])("rejects %s with 401", (header, message) => {
    const call = () => parseAuthorization(header);
    expect(call).toThrowError(message);
    expect(call).toThrowError(AppError);
    try {
      call();
    } catch (error) {
      expect((error as AppError).status).toBe(401);
    }
  });
});

describe("hashSecretKey", () => {
  it("is stable and does not contain the secret", () => {
    expect(hashSecretKey("sk-sl-x")).toBe(hashSecretKey("sk-sl-x"));
    expect(hashSecretKey("sk-sl-x")).not.toContain("sk-sl");
    expect(hashSecretKey("sk-sl-x")).not.toBe(hashSecretKey("sk-sl-y"));
  });
});
