import { randomUUID } from "node:crypto";
import { Agent, request, type Server } from "node:http";
import { connect, type Socket } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { gzipSync } from "node:zlib";
import { closePrisma, createApiKey, getPrisma } from "@spanlens/db";
import { closeRedis, deleteQueuePrefix, getRedis, queuePrefix } from "@spanlens/queue";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readIngestConfig } from "./config.js";
import { closeIntake } from "./intake.js";
import { closeGracefully, startIngest } from "./server.js";

let server: Server;
let baseUrl = "";
let orgId = "";
let secretKey = "";

beforeAll(async () => {
  process.env.SPANLENS_QUEUE_PREFIX = `test-${randomUUID()}`;
  const org = await getPrisma().organization.create({ data: { name: `ingest ${randomUUID()}` } });
  const project = await getPrisma().project.create({ data: { orgId: org.id, name: "ingest" } });
  orgId = org.id;
  secretKey = (await createApiKey(project.id)).secretKey;
  server = await startIngest({ port: 0, hostname: "127.0.0.1" });
  baseUrl = baseUrlOf(server);
});

function baseUrlOf(listening: Server): string {
  const address = listening.address();
  if (!address || typeof address === "string") throw new Error("no port");
  return `http://127.0.0.1:${address.port}`;
}

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await closeIntake();
  await deleteQueuePrefix(queuePrefix(), getRedis());
  await closeRedis();
  await getPrisma().organization.delete({ where: { id: orgId } });
  await closePrisma();
});

describe("OTLP receiver transport checks", () => {
  it("answers a metrics export with a 404 that says how to turn it off", async () => {
    const response = await fetch(`${baseUrl}/v1/metrics`, {
      method: "POST",
      headers: { "Content-Type": "application/x-protobuf", Authorization: `Bearer ${secretKey}` },
      body: new Uint8Array(0),
    });
    expect(response.status).toBe(404);
    expect(((await response.json()) as { error: { message: string } }).error.message).toContain(
      "OTEL_METRICS_EXPORTER=none",
    );
  });

  it("answers 415 naming the supported content types", async () => {
    const response = await fetch(`${baseUrl}/v1/traces`, {
      method: "POST",
      headers: { "Content-Type": "text/plain", Authorization: `Bearer ${secretKey}` },
      body: "hello",
    });
    expect(response.status).toBe(415);
    expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(
      /application\/x-protobuf or application\/json/,
    );
  });

  it("answers 401 without a key and with an unknown key", async () => {
    for (const headers of [{}, { Authorization: "Bearer sk-sl-nope" }]) {
      const response = await fetch(`${baseUrl}/v1/traces`, {
        method: "POST",
        headers: { "Content-Type": "application/json", ...headers },
        body: "{}",
      });
      expect(response.status).toBe(401);
    }
  });

  it("rejects methods other than POST", async () => {
    const response = await fetch(`${baseUrl}/v1/traces`, { method: "GET" });
    expect(response.status).toBe(400);
    expect(response.headers.get("allow")).toBe("POST");
  });

  it("answers 404 for unknown paths and 200 on /health", async () => {
    expect((await fetch(`${baseUrl}/v1/nope`, { method: "POST" })).status).toBe(404);
    expect((await fetch(`${baseUrl}/health`)).status).toBe(200);
  });
});

/** GET over a kept-alive agent, reporting whether the request went out on a reused connection. */
function getOver(
  agent: Agent,
  url: string,
): Promise<{ status: number; keepAlive: string | undefined; reused: boolean; socket: Socket }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent }, (res) => {
      // Read now: a kept-alive socket is detached from the response once it ends.
      const socket = res.socket;
      res.resume();
      res.on("end", () =>
        resolve({
          status: res.statusCode ?? 0,
          keepAlive: res.headers["keep-alive"]?.toString(),
          reused: req.reusedSocket,
          socket,
        }),
      );
    });
    req.on("error", reject);
    req.end();
  });
}

/** POST over a kept-alive agent; resolves with the status and whether the connection was reused. */
function postOver(agent: Agent, url: string, body: Buffer): Promise<{ status: number; reused: boolean }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: "POST",
        agent,
        headers: { "Content-Type": "application/json", Authorization: `Bearer ${secretKey}` },
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve({ status: res.statusCode ?? 0, reused: req.reusedSocket }));
      },
    );
    // The server may answer (413) before it has read the whole body.
    req.on("error", reject);
    req.end(body);
  });
}

describe("OTLP receiver with large exports", () => {
  const span = (traceId: string, extra: Record<string, unknown> = {}) => ({
    traceId,
    spanId: "00f067aa0ba902b7",
    name: "generate",
    startTimeUnixNano: "1767225600000000000",
    endTimeUnixNano: "1767225601000000000",
    attributes: [{ key: "gen_ai.prompt", value: { stringValue: "p".repeat(1_300_000) } }],
    ...extra,
  });
  const exportOf = (...spans: unknown[]) =>
    JSON.stringify({ resourceSpans: [{ resource: {}, scopeSpans: [{ scope: {}, spans }] }] });
  const post = (body: string) =>
    fetch(`${baseUrl}/v1/traces`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${secretKey}` },
      body,
    });

  it("answers a large export decoded off the event loop as a small one: partial success, and 400 naming the problem", async () => {
    // Over a megabyte: decoded on the receiver's thread.
    const partial = await post(exportOf(span("4bf92f3577b34da6a3ce929d0e0e4736"), span("0".repeat(32))));
    expect(partial.status).toBe(200);
    expect(await partial.json()).toEqual({
      partialSuccess: {
        rejectedSpans: "1",
        errorMessage: "invalid traceId: must be 32 hex characters and not all zero",
      },
    });
    const malformed = await post(exportOf(span("4bf92f3577b34da6a3ce929d0e0e4736", { startTimeUnixNano: "soon" })));
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toEqual({
      error: {
        code: "BAD_REQUEST",
        message:
          "invalid OTLP/JSON at resourceSpans[0].scopeSpans[0].spans[0]: startTimeUnixNano and endTimeUnixNano must be unsigned decimal nanoseconds",
      },
    });
  });
});

describe("OTLP receiver connections", () => {
  // Exporters keep connections alive with no idle timer of their own; a connection the
  // server closes after Node's default 5 s can meet the next export and reset it.
  it("announces a two-minute keep-alive and keeps an idle connection for the next export", async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const first = await getOver(agent, `${baseUrl}/health`);
      expect(first.keepAlive).toBe("timeout=120");
      await sleep(2_500);
      const second = await getOver(agent, `${baseUrl}/health`);
      expect(second).toMatchObject({ status: 200, reused: true });
      expect(second.socket).toBe(first.socket);
    } finally {
      agent.destroy();
    }
  });

  it("answers the next request on a connection whose last body was over the size limit", async () => {
    const limited = await startIngest({
      port: 0,
      hostname: "127.0.0.1",
      config: readIngestConfig({ INGEST_MAX_BODY_BYTES: String(64 * 1024) }),
    });
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const url = `${baseUrlOf(limited)}/v1/traces`;
      const tooLarge = Buffer.from(JSON.stringify({ resourceSpans: [], padding: "x".repeat(512 * 1024) }));
      const small = Buffer.from('{"resourceSpans":[]}');
      const answer = (body: Buffer) => Promise.race([postOver(agent, url, body), sleep(5_000, "no answer")]);
      expect(await answer(tooLarge)).toMatchObject({ status: 413 });
      // Before, the rest of the refused body stayed unread and the next request got no answer.
      for (let attempt = 0; attempt < 3; attempt += 1) {
        expect(await answer(small)).toEqual({ status: 200, reused: true });
      }
    } finally {
      agent.destroy();
      await new Promise((resolve) => limited.close(resolve));
    }
  });

  it("holds a request that finds the bytes in flight at their limit until there is room, or answers 503 once it waited too long", async () => {
    const bounded = await startIngest({
      port: 0,
      hostname: "127.0.0.1",
      config: readIngestConfig({ INGEST_MAX_BYTES_IN_FLIGHT: String(100 * 1024), INGEST_ENQUEUE_TIMEOUT_MS: "1500" }),
    });
    const url = `${baseUrlOf(bounded)}/v1/traces`;
    const exportOf = (bytes: number) => {
      const empty = '{"resourceSpans":[],"padding":""}';
      return Buffer.from(empty.replace('""', `"${"x".repeat(bytes - empty.length)}"`));
    };
    /** An export whose headers and first half are sent now, and the rest when asked. */
    const slowUpload = (body: Buffer) => {
      const socket = connect(Number(new URL(url).port), "127.0.0.1");
      let answer = "";
      socket.on("data", (chunk: Buffer) => {
        answer += chunk.toString("latin1");
      });
      socket.write(
        `POST /v1/traces HTTP/1.1\r\nHost: ingest\r\nAuthorization: Bearer ${secretKey}\r\n` +
          `Content-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`,
      );
      socket.write(body.subarray(0, body.length / 2));
      return {
        finish: async () => {
          socket.end(body.subarray(body.length / 2));
          await new Promise((resolve) => socket.once("close", resolve));
          return Number(answer.split(" ")[1]);
        },
        abort: () => socket.destroy(),
      };
    };
    const post = (body: Buffer) =>
      fetch(url, {
        method: "POST",
        headers: { "Content-Type": "application/json", Authorization: `Bearer ${secretKey}`, Connection: "close" },
        body,
      });
    try {
      // 80 KiB admitted and held while its body is still coming; 60 KiB more do not fit.
      const first = slowUpload(exportOf(80 * 1024));
      await sleep(200);
      const waiting = post(exportOf(60 * 1024));
      expect(await Promise.race([waiting.then((response) => response.status), sleep(700, "waiting")])).toBe("waiting");
      expect(await first.finish()).toBe(200);
      expect((await waiting).status).toBe(200);

      // Held past INGEST_ENQUEUE_TIMEOUT_MS: a 503 the exporter retries, naming the setting.
      const holder = slowUpload(exportOf(80 * 1024));
      await sleep(200);
      const started = performance.now();
      const refused = await post(exportOf(60 * 1024));
      expect(performance.now() - started).toBeGreaterThanOrEqual(1_400);
      expect(refused.status).toBe(503);
      expect(refused.headers.get("retry-after")).toBe("2");
      expect(await refused.json()).toEqual({
        error: {
          code: "UNAVAILABLE",
          message:
            "The receiver holds 1 MiB of other exports, its limit (INGEST_MAX_BYTES_IN_FLIGHT): retry after the delay",
        },
      });
      expect(await holder.finish()).toBe(200);

      // A client that gives up while it waits for room holds none once it is let in.
      const blocker = slowUpload(exportOf(80 * 1024));
      await sleep(200);
      const quitter = slowUpload(exportOf(60 * 1024));
      await sleep(200);
      quitter.abort();
      await sleep(100);
      expect(await blocker.finish()).toBe(200);
      const after = performance.now();
      expect((await post(exportOf(60 * 1024))).status).toBe(200);
      expect(performance.now() - after).toBeLessThan(1_000);
    } finally {
      await new Promise((resolve) => bounded.close(resolve));
    }
  });

  it("answers 413 before reading a body whose declared length passes the limit, and 408 to an upload that stalls", async () => {
    const strict = await startIngest({
      port: 0,
      hostname: "127.0.0.1",
      config: readIngestConfig({
        INGEST_MAX_BODY_BYTES: String(64 * 1024),
        INGEST_MAX_BYTES_IN_FLIGHT: String(64 * 1024),
        INGEST_REQUEST_TIMEOUT_SECONDS: "1",
      }),
    });
    const port = Number(new URL(baseUrlOf(strict)).port);
    /** Sends headers and `sent` bytes of the body, never the rest; resolves with the status line. */
    const stalledUpload = (declared: number, sent: number) =>
      new Promise<{ statusLine: string; afterMs: number }>((resolve) => {
        const started = performance.now();
        const socket = connect(port, "127.0.0.1");
        let answer = "";
        socket.on("data", (chunk: Buffer) => {
          answer += chunk.toString("latin1");
          if (answer.includes("\r\n")) {
            resolve({ statusLine: answer.split("\r\n")[0] ?? "", afterMs: performance.now() - started });
            socket.destroy();
          }
        });
        socket.write(
          `POST /v1/traces HTTP/1.1\r\nHost: ingest\r\nAuthorization: Bearer ${secretKey}\r\n` +
            `Content-Type: application/json\r\nContent-Length: ${declared}\r\n\r\n${"x".repeat(sent)}`,
        );
      });
    try {
      // 100 MB declared, nothing sent: refused at once, not after reading up to the limit.
      const declaredTooLarge = await stalledUpload(100_000_000, 0);
      expect(declaredTooLarge.statusLine).toBe("HTTP/1.1 413 Payload Too Large");
      expect(declaredTooLarge.afterMs).toBeLessThan(900);

      // Half of a 60 KB body, then nothing: answered 408 after the timeout, and the bytes it
      // held in flight are free again for the next export.
      const stalled = await stalledUpload(60 * 1024, 30 * 1024);
      expect(stalled.statusLine).toBe("HTTP/1.1 408 Request Timeout");
      expect(stalled.afterMs).toBeGreaterThanOrEqual(1_000);
      const next = await fetch(`${baseUrlOf(strict)}/v1/traces`, {
        method: "POST",
        headers: { "Content-Type": "application/json", Authorization: `Bearer ${secretKey}` },
        body: JSON.stringify({ resourceSpans: [], padding: "x".repeat(60 * 1024) }),
      });
      expect(next.status).toBe(200);
    } finally {
      await new Promise((resolve) => strict.close(resolve));
    }
  });

  it("closes idle connections after INGEST_KEEP_ALIVE_TIMEOUT_SECONDS", async () => {
    const short = await startIngest({
      port: 0,
      hostname: "127.0.0.1",
      config: readIngestConfig({ INGEST_KEEP_ALIVE_TIMEOUT_SECONDS: "1" }),
    });
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const url = `${baseUrlOf(short)}/health`;
      const first = await getOver(agent, url);
      expect(first.keepAlive).toBe("timeout=1");
      const closed = new Promise((resolve) => first.socket.once("close", resolve));
      // Node closes an idle connection a second after the timeout it announces.
      await sleep(2_500);
      await expect(Promise.race([closed.then(() => "closed"), sleep(0, "open")])).resolves.toBe("closed");
      expect(await getOver(agent, url)).toMatchObject({ status: 200, reused: false });
    } finally {
      agent.destroy();
      await new Promise((resolve) => short.close(resolve));
    }
  });

  it("stops without waiting out the idle timeout of a connection that was answering a request", async () => {
    const stopping = await startIngest({ port: 0, hostname: "127.0.0.1" });
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      // The request's body is still arriving when the server is told to stop.
      const answered = new Promise<number>((resolve, reject) => {
        const req = request(
          `${baseUrlOf(stopping)}/v1/traces`,
          {
            method: "POST",
            agent,
            headers: { "Content-Type": "application/json", Authorization: `Bearer ${secretKey}` },
          },
          (res) => {
            res.resume();
            res.on("end", () => resolve(res.statusCode ?? 0));
          },
        );
        req.on("error", reject);
        req.write('{"resourceSpans":');
        setTimeout(() => req.end("[]}"), 200);
      });
      await sleep(50);
      const closed = closeGracefully(stopping).then(() => "closed");
      expect(await answered).toBe(200);
      // Without closing it once idle, the answered connection would hold the server for two minutes.
      await expect(Promise.race([closed, sleep(5_000, "still open")])).resolves.toBe("closed");
    } finally {
      agent.destroy();
      stopping.closeAllConnections();
    }
  });
});

/** A small deterministic PRNG (mulberry32), so a failing mix can be replayed from its seed. */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface TMixedRequest {
  kind: string;
  path: string;
  method: string;
  headers: Record<string, string>;
  body: Buffer;
  /** The status it must get; null for a request the client gives up on mid-body. */
  expected: number | null;
}

describe("OTLP receiver under a mix of good and bad requests on kept-alive connections", () => {
  it("answers every request, whatever came before it on the connection, and keeps serving", async () => {
    const limit = 64 * 1024;
    const mixed = await startIngest({
      port: 0,
      hostname: "127.0.0.1",
      config: readIngestConfig({ INGEST_MAX_BODY_BYTES: String(limit) }),
    });
    const url = baseUrlOf(mixed);
    const json = { "Content-Type": "application/json", Authorization: `Bearer ${secretKey}` };
    const protobuf = { "Content-Type": "application/x-protobuf", Authorization: `Bearer ${secretKey}` };
    const empty = Buffer.from('{"resourceSpans":[]}');
    const kinds: ((random: () => number) => Omit<TMixedRequest, "kind">)[] = [
      () => ({ path: "/v1/traces", method: "POST", headers: json, body: empty, expected: 200 }),
      () => ({
        path: "/v1/traces",
        method: "POST",
        headers: { ...json, "Content-Encoding": "gzip" },
        body: gzipSync(empty),
        expected: 200,
      }),
      (random) => ({
        path: "/v1/traces",
        method: "POST",
        headers: json,
        body: Buffer.alloc(limit + 1 + Math.floor(random() * 4 * limit), 0x20),
        expected: 413,
      }),
      () => ({
        path: "/v1/traces",
        method: "POST",
        headers: { ...json, "Content-Encoding": "gzip" },
        body: gzipSync(Buffer.alloc(limit * 8, 0x20)),
        expected: 413,
      }),
      () => ({
        path: "/v1/traces",
        method: "POST",
        headers: { ...json, "Content-Encoding": "gzip" },
        body: Buffer.from("not gzip at all"),
        expected: 400,
      }),
      (random) => ({
        path: "/v1/traces",
        method: "POST",
        headers: protobuf,
        body: Buffer.from(Array.from({ length: 1 + Math.floor(random() * 200) }, () => Math.floor(random() * 256))),
        expected: 400,
      }),
      (random) => ({
        path: "/v1/traces",
        method: "POST",
        headers: { ...json, "Content-Type": "text/plain" },
        body: Buffer.alloc(Math.floor(random() * 2 * limit), 0x61),
        expected: 415,
      }),
      (random) => ({
        path: "/v1/logs",
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: Buffer.alloc(Math.floor(random() * 2 * limit), 0x61),
        expected: 401,
      }),
      () => ({ path: "/v1/metrics", method: "POST", headers: protobuf, body: Buffer.alloc(0), expected: 404 }),
      () => ({ path: "/v1/traces", method: "GET", headers: {}, body: Buffer.alloc(0), expected: 400 }),
      (random) => ({
        path: "/v1/traces",
        method: "POST",
        headers: json,
        // Under the limit, so the server waits for the rest of it rather than answering 413.
        body: Buffer.alloc(2 + Math.floor(random() * (limit - 2)), 0x20),
        expected: null,
      }),
    ];
    const random = seeded(20261206);
    const requests: TMixedRequest[] = Array.from({ length: 160 }, (_, index) => {
      const pick = Math.floor(random() * kinds.length);
      return { kind: `#${index} kind ${pick}`, ...(kinds[pick] as (typeof kinds)[number])(random) };
    });

    const agent = new Agent({ keepAlive: true, maxSockets: 2 });
    const send = (mixedRequest: TMixedRequest) =>
      new Promise<number | "aborted">((resolve, reject) => {
        const req = request(
          `${url}${mixedRequest.path}`,
          { method: mixedRequest.method, agent, headers: mixedRequest.headers },
          (res) => {
            res.resume();
            res.on("end", () => resolve(res.statusCode ?? 0));
          },
        );
        if (mixedRequest.expected === null) {
          // The client gives up after the first part of its body.
          req.on("error", () => resolve("aborted"));
          req.write(mixedRequest.body.subarray(0, Math.ceil(mixedRequest.body.length / 2)));
          setTimeout(() => req.destroy(), 20);
          return;
        }
        req.on("error", reject);
        req.end(mixedRequest.body);
      });
    try {
      // Two at a time over two connections, so requests follow each other on both.
      for (let index = 0; index < requests.length; index += 2) {
        const pair = requests.slice(index, index + 2);
        const answers = await Promise.race([
          Promise.all(pair.map(send)),
          sleep(
            10_000,
            pair.map(() => "no answer"),
          ),
        ]);
        expect(
          answers.map((answer, at) => ({ kind: pair[at]?.kind, answer })),
          `requests ${index} and ${index + 1} of seed 20261206`,
        ).toEqual(pair.map((sent) => ({ kind: sent.kind, answer: sent.expected ?? "aborted" })));
      }
      expect((await fetch(`${url}/health`)).status).toBe(200);
    } finally {
      agent.destroy();
      // A connection the server stopped answering would otherwise hold close() open.
      mixed.closeAllConnections();
      await new Promise((resolve) => mixed.close(resolve));
    }
  });
});
