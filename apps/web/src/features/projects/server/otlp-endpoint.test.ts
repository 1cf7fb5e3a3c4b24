import { describe, expect, it } from "vitest";
import { resolveOtlpGrpcEndpoint } from "./otlp-endpoint";

describe("resolveOtlpGrpcEndpoint", () => {
  it("shows the web app's host on the all-in-one process's gRPC port, in plaintext", () => {
    const at = (requestHost: string, colocatedGrpcPort = 4317) =>
      resolveOtlpGrpcEndpoint({ grpcPublicUrl: undefined, colocatedGrpcPort, requestHost });
    expect(at("spanlens.example.com")).toBe("http://spanlens.example.com:4317");
    expect(at("127.0.0.1:3000", 14317)).toBe("http://127.0.0.1:14317");
    expect(at("[::1]:3000")).toBe("http://[::1]:4317");
  });

  it("shows none when gRPC is off, or when the receiver runs elsewhere and no URL says where", () => {
    for (const colocatedGrpcPort of [null, undefined]) {
      expect(
        resolveOtlpGrpcEndpoint({ grpcPublicUrl: undefined, colocatedGrpcPort, requestHost: "x:3000" }),
      ).toBeNull();
    }
  });

  it("prefers INGEST_GRPC_PUBLIC_URL", () => {
    for (const colocatedGrpcPort of [4317, null, undefined]) {
      expect(
        resolveOtlpGrpcEndpoint({
          grpcPublicUrl: "https://otlp-grpc.example.com/",
          colocatedGrpcPort,
          requestHost: "app.example.com",
        }),
      ).toBe("https://otlp-grpc.example.com");
    }
  });
});
