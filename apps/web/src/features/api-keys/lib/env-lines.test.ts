import { describe, expect, it } from "vitest";
import { buildEnvLines } from "./env-lines";

describe("buildEnvLines", () => {
  it("gives the OTLP base endpoint with an encoded bearer header, and the SDK variables", () => {
    const lines = buildEnvLines({
      otlpTracesEndpoint: "https://spanlens.example.com/v1/traces",
      otlpGrpcEndpoint: null,
      appBaseUrl: "https://spanlens.example.com",
      publicKey: "pk-sl-abc",
      secretKey: "sk-sl-xyz",
    });
    expect(lines.otel).toBe(
      "OTEL_EXPORTER_OTLP_ENDPOINT=https://spanlens.example.com\nOTEL_EXPORTER_OTLP_HEADERS=Authorization=Bearer%20sk-sl-xyz",
    );
    expect(lines.sdk).toBe(
      "SPANLENS_BASE_URL=https://spanlens.example.com\nSPANLENS_PUBLIC_KEY=pk-sl-abc\nSPANLENS_SECRET_KEY=sk-sl-xyz",
    );
    expect(lines.otelGrpc).toBeNull();
  });

  it("adds the gRPC protocol, endpoint and a lowercase metadata key when there is a gRPC endpoint", () => {
    const lines = buildEnvLines({
      otlpTracesEndpoint: "https://spanlens.example.com/v1/traces",
      otlpGrpcEndpoint: "http://spanlens.example.com:4317",
      appBaseUrl: "https://spanlens.example.com",
      publicKey: "pk-sl-abc",
      secretKey: "sk-sl-xyz",
    });
    expect(lines.otelGrpc).toBe(
      "OTEL_EXPORTER_OTLP_PROTOCOL=grpc\nOTEL_EXPORTER_OTLP_ENDPOINT=http://spanlens.example.com:4317\nOTEL_EXPORTER_OTLP_HEADERS=authorization=Bearer%20sk-sl-xyz",
    );
  });
});
