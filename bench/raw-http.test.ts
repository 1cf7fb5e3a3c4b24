import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createServer as createTcpServer } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { NodeHttpPool, RawHttpError, RawHttpPool } from "./raw-http.js";

const servers: { close: () => void }[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

async function listen(server: Server | ReturnType<typeof createTcpServer>): Promise<URL> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces`);
}

describe.each([
  { name: "RawHttpPool", Pool: RawHttpPool },
  { name: "NodeHttpPool", Pool: NodeHttpPool },
])("$name", ({ Pool }) => {
  it("posts the body with its headers and reads each status on a kept-alive connection", async () => {
    const seen: { url?: string; headers: Record<string, unknown>; body: Buffer; socket: unknown }[] = [];
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => {
        seen.push({ url: req.url, headers: req.headers, body: Buffer.concat(chunks), socket: req.socket });
        res.statusCode = seen.length === 2 ? 503 : 200;
        res.end(seen.length === 2 ? JSON.stringify({ error: "queue full" }) : "");
      });
    });
    const pool = new Pool(await listen(server), { authorization: "Bearer sk-test" }, 1);

    const first = Buffer.from("first body");
    expect(await pool.post(first)).toBe(200);
    expect(await pool.post(Buffer.alloc(70_000, 1))).toBe(503);
    expect(await pool.post(Buffer.from("third"))).toBe(200);
    pool.destroy();

    expect(seen.map((request) => request.body.byteLength)).toEqual([10, 70_000, 5]);
    expect(seen[0]?.body.equals(first)).toBe(true);
    expect(seen[0]?.url).toBe("/v1/traces");
    expect(seen[0]?.headers.authorization).toBe("Bearer sk-test");
    expect(seen[0]?.headers["content-length"]).toBe("10");
    expect(seen[2]?.socket).toBe(seen[0]?.socket);
  });

  it("rejects with the socket's error code when nothing listens", async () => {
    const server = createTcpServer();
    const url = await listen(server);
    server.close();
    servers.length = 0;
    await new Promise((resolve) => setTimeout(resolve, 20));
    const pool = new Pool(url, {}, 1);

    await expect(pool.post(Buffer.from("x"))).rejects.toMatchObject({ code: "ECONNREFUSED", reusedSocket: false });
  });
});

describe("RawHttpPool", () => {
  it("queues requests beyond its connections and opens a new one after the server closes one", async () => {
    let connections = 0;
    const server = createServer((req, res) => {
      req.resume();
      req.on("end", () => setTimeout(() => res.end("ok"), 20));
    });
    server.on("connection", () => {
      connections += 1;
    });
    server.keepAliveTimeout = 50;
    const pool = new RawHttpPool(await listen(server), {}, 2);

    expect(await Promise.all(Array.from({ length: 6 }, () => pool.post(Buffer.from("x"))))).toEqual([
      200, 200, 200, 200, 200, 200,
    ]);
    expect(connections).toBe(2);
    // The server closes both idle connections once its keep-alive timeout passes.
    while ((await new Promise<number>((resolve) => server.getConnections((_, count) => resolve(count)))) > 0) {
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect(await pool.post(Buffer.from("after the idle timeout"))).toBe(200);
    expect(connections).toBe(3);
    pool.destroy();
  });

  it("fails a request whose response it cannot read, naming why", async () => {
    const server = createTcpServer((socket) => {
      socket.once("data", () => socket.write("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n0\r\n\r\n"));
    });
    const pool = new RawHttpPool(await listen(server), {}, 1);

    const failure = await pool.post(Buffer.from("x")).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(RawHttpError);
    expect(failure).toMatchObject({ code: "EBADRESPONSE", reusedSocket: false });
    pool.destroy();
  });
});
