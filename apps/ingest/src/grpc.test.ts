import { createServer, type Server } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readIngestConfig } from "./config.js";
import { startConfiguredGrpcIngest } from "./grpc.js";

let taken: Server;
let takenPort = 0;

beforeAll(async () => {
  taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
  takenPort = (taken.address() as { port: number }).port;
});

afterAll(async () => {
  await new Promise((resolve) => taken.close(resolve));
});

describe("startConfiguredGrpcIngest", () => {
  const config = readIngestConfig({});

  it("turns gRPC off, without failing, when its default port is taken", async () => {
    const grpc = await startConfiguredGrpcIngest({
      setting: { port: takenPort, isExplicit: false },
      hostname: "127.0.0.1",
      config,
    });
    expect(grpc).toBeNull();
  });

  it("fails naming INGEST_GRPC_PORT when a port set explicitly is taken", async () => {
    await expect(
      startConfiguredGrpcIngest({ setting: { port: takenPort, isExplicit: true }, hostname: "127.0.0.1", config }),
    ).rejects.toThrow(/INGEST_GRPC_PORT/);
  });

  it("serves on a free port and stays off when turned off", async () => {
    expect(
      await startConfiguredGrpcIngest({ setting: { port: null, isExplicit: true }, hostname: "127.0.0.1", config }),
    ).toBeNull();
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    const freePort = (probe.address() as { port: number }).port;
    await new Promise((resolve) => probe.close(resolve));
    const grpc = await startConfiguredGrpcIngest({
      setting: { port: freePort, isExplicit: false },
      hostname: "127.0.0.1",
      config,
    });
    expect(grpc?.port).toBe(freePort);
    await grpc?.close();
  });
});
