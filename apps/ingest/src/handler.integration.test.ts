import { Agent, request } from "node:http";
import type { Socket } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { gzipSync } from "node:zlib";
import { readOtlpFailure } from "@spanlens/otlp/testing";
import { describe, expect, it } from "vitest";
import { baseUrlOf, useTestReceiver } from "../test/test-receiver.js";
import { readIngestConfig } from "./config.js";
import { closeGracefully, startIngest } from "./server.js";

const receiver = useTestReceiver();

describe("OTLP receiver transport checks", () => {
  it("answers a metrics export with a 404 that says how to turn it off", async () => {
    const response = await fetch(`${receiver.baseUrl}/v1/metrics`, {
      method: "POST",
      headers: { "Content-Type": "application/x-protobuf", Authorization: `Bearer ${receiver.secretKey}` },
      body: new Uint8Array(0),
    });
    expect(response.status).toBe(404);
    expect(await readOtlpFailure(response)).toEqual({
      encoding: "protobuf",
      code: 5, // NOT_FOUND
      message: expect.stringContaining("OTEL_METRICS_EXPORTER=none"),
    });
  });

  it("answers 415 naming the supported content types", async () => {
    const response = await fetch(`${receiver.baseUrl}/v1/traces`, {
      method: "POST",
      headers: { "Content-Type": "text/plain", Authorization: `Bearer ${receiver.secretKey}` },
      body: "hello",
    });
    expect(response.status).toBe(415);
    // An encoding OTLP does not define gets the JSON one.
    expect(await readOtlpFailure(response)).toEqual({
      encoding: "json",
      code: 3, // INVALID_ARGUMENT
      message: expect.stringMatching(/application\/x-protobuf or application\/json/),
    });
  });

  it("answers bad data with a google.rpc.Status in the request's encoding", async () => {
    const headers = (contentType: string) => ({
      "Content-Type": contentType,
      Authorization: `Bearer ${receiver.secretKey}`,
    });
    const asProtobuf = await fetch(`${receiver.baseUrl}/v1/traces`, {
      method: "POST",
      headers: headers("application/x-protobuf"),
      body: new Uint8Array([0x0a, 0x05, 0x01]),
    });
    expect(asProtobuf.status).toBe(400);
    expect(await readOtlpFailure(asProtobuf)).toEqual({
      encoding: "protobuf",
      code: 3, // INVALID_ARGUMENT
      message: "truncated protobuf: message of 5 bytes at offset 2",
    });

    const asJson = await fetch(`${receiver.baseUrl}/v1/traces`, {
      method: "POST",
      headers: headers("application/json; charset=utf-8"),
      body: '{"resourceSpans": [',
    });
    expect(asJson.status).toBe(400);
    const body = await asJson.clone().json();
    // The Status's fields, and the error object every other Spanlens endpoint answers with.
    expect(body).toEqual({
      code: 3,
      message: "body is not valid JSON",
      error: { code: "BAD_REQUEST", message: "body is not valid JSON" },
    });
    expect(await readOtlpFailure(asJson)).toEqual({ encoding: "json", code: 3, message: "body is not valid JSON" });
  });

  it("answers 401 without a key and with an unknown key", async () => {
    for (const headers of [{}, { Authorization: "Bearer sk-sl-nope" }]) {
      const response = await fetch(`${receiver.baseUrl}/v1/traces`, {
        method: "POST",
        headers: { "Content-Type": "application/json", ...headers },
        body: "{}",
      });
      expect(response.status).toBe(401);
      expect((await readOtlpFailure(response)).code).toBe(16); // UNAUTHENTICATED
    }
    const asProtobuf = await fetch(`${receiver.baseUrl}/v1/traces`, {
      method: "POST",
      headers: { "Content-Type": "application/x-protobuf", Authorization: "Bearer sk-sl-nope" },
      body: new Uint8Array(0),
    });
    expect(await readOtlpFailure(asProtobuf)).toEqual({
      encoding: "protobuf",
      code: 16,
      message: "Invalid API key: it is unknown or has been revoked",
    });
  });

  it("answers 405 to methods other than POST", async () => {
    const response = await fetch(`${receiver.baseUrl}/v1/traces`, { method: "GET" });
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe("POST");
    expect(await readOtlpFailure(response)).toEqual({
      encoding: "json",
      code: 12, // UNIMPLEMENTED
      message: "Method GET not allowed: OTLP/HTTP uses POST",
    });
  });

  it("answers 404 for unknown paths and 200 on /health", async () => {
    expect((await fetch(`${receiver.baseUrl}/v1/nope`, { method: "POST" })).status).toBe(404);
    expect((await fetch(`${receiver.baseUrl}/health`)).status).toBe(200);
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
        headers: { "Content-Type": "application/json", Authorization: `Bearer ${receiver.secretKey}` },
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

describe("OTLP receiver connections", () => {
  // Exporters keep connections alive with no idle timer of their own; a connection the
  // server closes after Node's default 5 s can meet the next export and reset it.
  it("announces a two-minute keep-alive and keeps an idle connection for the next export", async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const first = await getOver(agent, `${receiver.baseUrl}/health`);
      expect(first.keepAlive).toBe("timeout=120");
      await sleep(2_500);
      const second = await getOver(agent, `${receiver.baseUrl}/health`);
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
            headers: { "Content-Type": "application/json", Authorization: `Bearer ${receiver.secretKey}` },
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
    const json = { "Content-Type": "application/json", Authorization: `Bearer ${receiver.secretKey}` };
    const protobuf = { "Content-Type": "application/x-protobuf", Authorization: `Bearer ${receiver.secretKey}` };
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
      () => ({ path: "/v1/traces", method: "GET", headers: {}, body: Buffer.alloc(0), expected: 405 }),
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
