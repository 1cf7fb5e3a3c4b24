import { connect } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { gzipSync, zstdDecompressSync } from "node:zlib";
import { QueueName } from "@spanlens/core";
import { getQueue, getRedis } from "@spanlens/queue";
import { describe, expect, it } from "vitest";
import { generationSpan, otlpJsonExport } from "../test/otlp-json.js";
import { baseUrlOf, useTestReceiver } from "../test/test-receiver.js";
import { readIngestConfig } from "./config.js";
import { startIngest } from "./server.js";

// What the receiver holds and for how long: large exports, the bytes in flight, and bodies
// that are too large or stall. Real Postgres and Redis.
const receiver = useTestReceiver();

describe("OTLP receiver with large exports", () => {
  const span = (traceId: string, extra: Record<string, unknown> = {}) =>
    generationSpan(traceId, "p".repeat(1_300_000), extra);
  const post = (body: string) =>
    fetch(`${receiver.baseUrl}/v1/traces`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${receiver.secretKey}` },
      body,
    });

  it("answers a large export decoded off the event loop as a small one: partial success, and 400 naming the problem", async () => {
    // Over a megabyte: decoded on the receiver's thread.
    const partial = await post(otlpJsonExport(span("4bf92f3577b34da6a3ce929d0e0e4736"), span("0".repeat(32))));
    expect(partial.status).toBe(200);
    expect(await partial.json()).toEqual({
      partialSuccess: {
        rejectedSpans: "1",
        errorMessage: "invalid traceId: must be 32 hex characters and not all zero",
      },
    });
    const malformed = await post(
      otlpJsonExport(span("4bf92f3577b34da6a3ce929d0e0e4736", { startTimeUnixNano: "soon" })),
    );
    expect(malformed.status).toBe(400);
    const problem =
      "invalid OTLP/JSON at resourceSpans[0].scopeSpans[0].spans[0]: startTimeUnixNano and endTimeUnixNano must be unsigned decimal nanoseconds";
    expect(await malformed.json()).toEqual({
      code: 3,
      message: problem,
      error: { code: "BAD_REQUEST", message: problem },
    });
  });
});

describe("OTLP receiver storing large exports", () => {
  it("keeps a large export that came uncompressed compressed in Redis (zstd), and one sent gzipped as sent", async () => {
    const prompt = "The retriever returned three chunks about parental leave. ".repeat(25_000);
    const exportOf = (traceId: string) => otlpJsonExport(generationSpan(traceId, prompt));
    const plain = Buffer.from(exportOf("5bf92f3577b34da6a3ce929d0e0e4736"));
    const gzipped = gzipSync(exportOf("6bf92f3577b34da6a3ce929d0e0e4736"));
    const headers = { "Content-Type": "application/json", Authorization: `Bearer ${receiver.secretKey}` };
    const queue = getQueue(QueueName.OtlpIngest);
    const before = new Set((await queue.getWaiting()).map((job) => job.id));
    expect((await fetch(`${receiver.baseUrl}/v1/traces`, { method: "POST", headers, body: plain })).status).toBe(200);
    expect(
      (
        await fetch(`${receiver.baseUrl}/v1/traces`, {
          method: "POST",
          headers: { ...headers, "Content-Encoding": "gzip" },
          body: gzipped,
        })
      ).status,
    ).toBe(200);

    const jobs = (await queue.getWaiting()).filter((job) => !before.has(job.id));
    const stored = await Promise.all(
      jobs.map(async (job) => ({
        compression: job.data.compression as string,
        bytes: job.data.bytes as number,
        body: await getRedis().getBuffer(job.data.bodyKey as string),
      })),
    );
    const byCompression = Object.fromEntries(stored.map((entry) => [entry.compression, entry]));
    expect(Object.keys(byCompression).sort()).toEqual(["gzip", "zstd"]);
    // The uncompressed export waits compressed, and inflates to what was sent.
    const zstd = byCompression.zstd;
    expect(zstd?.bytes).toBe(plain.length);
    expect(zstd?.body?.length).toBeLessThan(plain.length / 10);
    expect(zstd?.body && Buffer.from(zstdDecompressSync(zstd.body)).equals(plain)).toBe(true);
    // The gzipped one waits as sent.
    expect(byCompression.gzip?.body?.equals(gzipped)).toBe(true);
  });
});

describe("OTLP receiver bounds on what it holds", () => {
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
        `POST /v1/traces HTTP/1.1\r\nHost: ingest\r\nAuthorization: Bearer ${receiver.secretKey}\r\n` +
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
        headers: {
          "Content-Type": "application/json",
          Authorization: `Bearer ${receiver.secretKey}`,
          Connection: "close",
        },
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
      const full =
        "The receiver holds 1 MiB of other exports, its limit (INGEST_MAX_BYTES_IN_FLIGHT): retry after the delay";
      expect(await refused.json()).toEqual({ code: 14, message: full, error: { code: "UNAVAILABLE", message: full } });
      expect(await holder.finish()).toBe(200);

      // Another project's export does not wait behind this project's: its project holds nothing.
      const otherKey = await receiver.createProjectKey();
      const backfill = slowUpload(exportOf(80 * 1024));
      await sleep(200);
      const backfillNext = post(exportOf(60 * 1024));
      const backfillNextStatus = backfillNext.then((response) => response.status);
      await sleep(100);
      const quietStarted = performance.now();
      const quiet = await fetch(url, {
        method: "POST",
        headers: { "Content-Type": "application/json", Authorization: `Bearer ${otherKey}`, Connection: "close" },
        body: exportOf(15 * 1024),
      });
      expect(quiet.status).toBe(200);
      expect(performance.now() - quietStarted).toBeLessThan(700);
      expect(await Promise.race([backfillNextStatus, sleep(100, "waiting")])).toBe("waiting");
      expect(await backfill.finish()).toBe(200);
      expect(await backfillNextStatus).toBe(200);

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
          `POST /v1/traces HTTP/1.1\r\nHost: ingest\r\nAuthorization: Bearer ${receiver.secretKey}\r\n` +
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
        headers: { "Content-Type": "application/json", Authorization: `Bearer ${receiver.secretKey}` },
        body: JSON.stringify({ resourceSpans: [], padding: "x".repeat(60 * 1024) }),
      });
      expect(next.status).toBe(200);
    } finally {
      await new Promise((resolve) => strict.close(resolve));
    }
  });
});
