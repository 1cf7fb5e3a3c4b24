import { describe, expect, it } from "vitest";
import { readGrpcPort } from "./config.js";

describe("readGrpcPort", () => {
  it("serves OTLP/gRPC on 4317 unless told otherwise", () => {
    expect(readGrpcPort({})).toEqual({ port: 4317, isExplicit: false });
    expect(readGrpcPort({ INGEST_GRPC_PORT: "" })).toEqual({ port: 4317, isExplicit: false });
    expect(readGrpcPort({ INGEST_GRPC_PORT: "14317" })).toEqual({ port: 14317, isExplicit: true });
  });

  it("turns OTLP/gRPC off with `off`", () => {
    expect(readGrpcPort({ INGEST_GRPC_PORT: "off" })).toEqual({ port: null, isExplicit: true });
  });

  it("names the variable when the port is not one", () => {
    expect(() => readGrpcPort({ INGEST_GRPC_PORT: "grpc" })).toThrow(/INGEST_GRPC_PORT is invalid/);
    expect(() => readGrpcPort({ INGEST_GRPC_PORT: "70000" })).toThrow(/INGEST_GRPC_PORT is invalid/);
  });
});
