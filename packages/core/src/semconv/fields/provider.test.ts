import { describe, expect, it } from "vitest";
import { canonicalProvider } from "./provider.js";

describe("canonicalProvider", () => {
  it.each([
    ["openai.chat", "openai"],
    ["openai.responses", "openai"],
    ["OpenAI", "openai"],
    ["anthropic.messages", "anthropic"],
    ["mistral.embedding", "mistral"],
    ["azure-openai.chat", "azure-openai"],
  ])("drops the API surface from %s", (raw, expected) => {
    expect(canonicalProvider(raw)).toBe(expected);
  });

  it.each(["gcp.vertex_ai", "aws.bedrock", "google.generative-ai", "openai"])("keeps %s as a provider", (raw) => {
    expect(canonicalProvider(raw)).toBe(raw);
  });

  it("keeps a value that is only a surface name", () => {
    expect(canonicalProvider(".chat")).toBe(".chat");
  });
});
