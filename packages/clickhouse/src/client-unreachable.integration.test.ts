import { createServer, type Server, type Socket } from "node:net";
import { EnvError } from "@spanlens/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClickHouse, resolveClickHouseOptions } from "./client.js";
import { ClickHouseConnectionError } from "./errors.js";
import { closeClickHouse, getClickHouse, initClickHouse } from "./registry.js";

// A TCP server that accepts connections and never answers: a host that is up but hung.
let silent: Server;
let silentPort: number;
const silentSockets = new Set<Socket>();

beforeAll(async () => {
  silent = createServer((socket) => silentSockets.add(socket));
  await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
  silentPort = (silent.address() as { port: number }).port;
});

afterAll(async () => {
  await closeClickHouse();
  for (const socket of silentSockets) socket.destroy();
  await new Promise<void>((resolve) => silent.close(() => resolve()));
});

describe("start-up against an unreachable ClickHouse server", () => {
  it("fails fast with one line naming CLICKHOUSE_URL, and can be retried", async () => {
    const options = resolveClickHouseOptions({ CLICKHOUSE_URL: "http://127.0.0.1:1" });
    const startedAt = Date.now();
    const failure = await initClickHouse(options).catch((error: unknown) => error);
    expect(Date.now() - startedAt).toBeLessThan(3_000);

    expect(failure).toBeInstanceOf(ClickHouseConnectionError);
    expect(failure).toBeInstanceOf(EnvError);
    const message = (failure as Error).message;
    expect(message).toBe("CLICKHOUSE_URL (http://127.0.0.1:1) is unreachable: connect ECONNREFUSED 127.0.0.1:1");
    expect(message).not.toContain("\n");

    // The failed attempt is forgotten rather than cached.
    expect(() => getClickHouse()).toThrow(/not initialized/);
    await expect(initClickHouse(options)).rejects.toThrow(/CLICKHOUSE_URL \(http:\/\/127\.0\.0\.1:1\) is unreachable/);
  });

  it("gives up on a server that accepts but never answers within the connect timeout", async () => {
    const startedAt = Date.now();
    const failure = createClickHouse({
      mode: "server",
      url: `http://user:secret@127.0.0.1:${silentPort}`,
      database: "spanlens",
      connectTimeoutMs: 300,
    });
    await expect(failure).rejects.toBeInstanceOf(ClickHouseConnectionError);
    await expect(failure).rejects.toThrow(
      `CLICKHOUSE_URL (http://127.0.0.1:${silentPort}) is unreachable: no answer within 300 ms`,
    );
    expect(Date.now() - startedAt).toBeLessThan(2_000);
  });
});
