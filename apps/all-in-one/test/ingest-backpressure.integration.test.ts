import { createServer, type Server } from "node:http";
import type { ReadableSpan } from "@opentelemetry/sdk-trace";
import { QueueName } from "@spanlens/core";
import { createIngestHandler } from "@spanlens/ingest";
import { readOtlpFailure } from "@spanlens/otlp/testing";
import { getQueue, getRedis, queueConnection, readIngestProblems, waitingExports } from "@spanlens/queue";
import { defaultConsumers, startWorker, type TRunningWorker } from "@spanlens/worker";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectStoredExactlyOnce, waitForEmptyQueue } from "./ingest-checks.js";
import { createTraceSpans, toJsonBody } from "./otlp-payloads.js";
import { startPipeline, type TPipeline, waitFor } from "./pipeline-harness.js";

let pipeline: TPipeline;
/** The worker currently draining the queue; each test stops it and starts a fresh one. */
let worker: TRunningWorker;

beforeAll(async () => {
  pipeline = await startPipeline();
  worker = pipeline.worker;
});

afterAll(async () => {
  await worker.close();
  await pipeline.stop();
});

/** Posts these spans as OTLP/JSON to the receiver at `baseUrl`, with a project's key (the pipeline's by default). */
function post(baseUrl: string, spans: ReadableSpan[], secretKey = pipeline.secretKey): Promise<Response> {
  return fetch(`${baseUrl}/v1/traces`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${secretKey}` },
    body: toJsonBody(spans),
  });
}

describe("backpressure", () => {
  /** A receiver of its own whose queue holds at most `maxQueueDepth` waiting requests. */
  async function startReceiver(maxQueueDepth: number): Promise<{ server: Server; baseUrl: string }> {
    const handle = createIngestHandler({
      maxBodyBytes: 256 * 1024,
      maxBytesInFlight: 256 * 1024 * 1024,
      maxQueueDepth,
      retryAfterSeconds: 2,
      enqueueTimeoutMs: 5_000,
      requestTimeoutMs: 60_000,
    });
    const server: Server = createServer((req, res) => void handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    if (!address || typeof address === "string") throw new Error("no port");
    return { server, baseUrl: `http://127.0.0.1:${address.port}` };
  }

  it("answers 503 with Retry-After once the queue is deeper than the limit, loses no accepted request, and accepts again once it drained", async () => {
    await worker.close();
    const { server, baseUrl } = await startReceiver(1);

    const accepted: ReadableSpan[][] = [];
    let refused: Response | undefined;
    // The depth is sampled every 250 ms, so a few requests pass before the limit bites.
    for (let attempt = 0; attempt < 40 && !refused; attempt += 1) {
      const spans = createTraceSpans(2);
      const response = await post(baseUrl, spans);
      if (response.status === 200) accepted.push(spans);
      else refused = response;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }

    if (!refused) throw new Error("ingest never pushed back");
    expect(refused.status).toBe(503);
    expect(refused.headers.get("retry-after")).toBe("2");
    expect(await readOtlpFailure(refused)).toEqual({
      encoding: "json",
      code: 14, // UNAVAILABLE: exporters retry it
      message: expect.stringMatching(/queue is full/i),
    });
    expect(accepted.length).toBeGreaterThan(0);
    // The project sees that its exports were throttled, under Settings → Usage.
    const problems = await waitFor(
      () => readIngestProblems(getRedis(), pipeline.projectId),
      (list) => list.some((problem) => problem.status === 503),
    );
    expect(problems.find((problem) => problem.status === 503)?.message).toMatch(/queue is full/i);

    worker = await startWorker(defaultConsumers());
    await expectStoredExactlyOnce(pipeline.projectId, accepted);

    // Once the queue has drained, a burst after a quiet spell is judged on the depth now,
    // not on the full queue last seen: every request of it is accepted.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const burst = Array.from({ length: 8 }, () => createTraceSpans(2));
    const statuses = await Promise.all(burst.map(async (spans) => (await post(baseUrl, spans)).status));
    await new Promise<void>((resolve) => server.close(() => resolve()));
    expect(statuses).toEqual(burst.map(() => 200));
    await expectStoredExactlyOnce(pipeline.projectId, burst);
  });

  it("past half the queue's bound refuses first the project sending most (429), and keeps taking the others' exports", async () => {
    await worker.close();
    const { server, baseUrl } = await startReceiver(8);
    const quiet = await pipeline.createProject();
    const send = async (secretKey: string) => {
      // Past the depth's maximum age, so each request is judged on the depth now.
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      const spans = createTraceSpans(2);
      return post(baseUrl, spans, secretKey);
    };
    const statusOf = async (secretKey: string) => (await send(secretKey)).status;

    // A project sending alone is taken up to the bound, past its half too.
    const alone: number[] = [];
    for (let index = 0; index < 6; index += 1) alone.push(await statusOf(pipeline.secretKey));
    expect(alone).toEqual([200, 200, 200, 200, 200, 200]);
    // Another project's export is taken, and now the first one sends more than its share.
    expect(await statusOf(quiet.secretKey)).toBe(200);
    const throttled = await send(pipeline.secretKey);
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get("retry-after")).toBe("2");
    expect((await readOtlpFailure(throttled)).message).toMatch(
      /^Ingest queue is over half full \(7 requests waiting\) and this project sent 86% of the export bytes this receiver took in the last 10 s, more than its share among 2 projects: retry after the delay$/,
    );
    // The quiet project fills the queue; then it is full for every project.
    expect(await statusOf(quiet.secretKey)).toBe(200);
    expect([await statusOf(quiet.secretKey), await statusOf(pipeline.secretKey)]).toEqual([503, 503]);
    await new Promise<void>((resolve) => server.close(() => resolve()));

    const problems = await waitFor(
      () => readIngestProblems(getRedis(), pipeline.projectId),
      (list) => list.some((problem) => problem.status === 429),
    );
    expect(problems.find((problem) => problem.status === 429)).toMatchObject({ count: 1, transport: "http" });
    worker = await startWorker(defaultConsumers());
    await waitForEmptyQueue();
  });

  it("while exports wait for a worker, queues those of a project taking more than its share behind the other projects'", async () => {
    await worker.close();
    const { server, baseUrl } = await startReceiver(1_000);
    const quiet = await pipeline.createProject();
    const send = async (secretKey: string, spans = createTraceSpans(2)) => {
      // Past the depth's maximum age, so each export sees the exports queued before it.
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      expect((await post(baseUrl, spans, secretKey)).status).toBe(200);
    };

    // No worker runs. The busy project backfills while the quiet one sends now and then.
    const busyTraces = Array.from({ length: 8 }, () => createTraceSpans(2));
    await send(pipeline.secretKey, busyTraces[0]);
    await send(quiet.secretKey);
    for (const spans of busyTraces.slice(1)) await send(pipeline.secretKey, spans);
    await send(quiet.secretKey);
    await new Promise<void>((resolve) => server.close(() => resolve()));

    const queue = getQueue(QueueName.OtlpIngest);
    const projectOf = (jobs: { id?: string; data: { projectId: string } }[]) =>
      new Map(jobs.map((job) => [job.id ?? "", job.data.projectId]));
    const waiting = projectOf(await queue.getJobs(["waiting"]));
    const behind = projectOf(await queue.getJobs(["prioritized"]));
    // From its third export on (2 of the 3 exports taken), the busy project is over its share
    // among two projects, and its exports wait behind the others'.
    expect([...behind.values()]).toEqual(Array.from({ length: 6 }, () => pipeline.projectId));
    expect([...waiting.values()].sort()).toEqual(
      [pipeline.projectId, pipeline.projectId, quiet.projectId, quiet.projectId].sort(),
    );
    // Both count toward the queue's bound.
    expect(await waitingExports()).toBe(10);

    worker = await startWorker(defaultConsumers());
    await expectStoredExactlyOnce(pipeline.projectId, busyTraces);
    await waitForEmptyQueue();
    // The order the worker took the jobs in, from the queue's event stream.
    const events = await (await queueConnection(queue)).xrange(queue.keys.events ?? "", "-", "+");
    const taken = events
      .map(([, fields]) => ({ event: fields[fields.indexOf("event") + 1], jobId: fields[fields.indexOf("jobId") + 1] }))
      .filter(({ event, jobId }) => event === "active" && jobId && (waiting.has(jobId) || behind.has(jobId)))
      .map(({ jobId }) => jobId);
    expect(taken).toHaveLength(10);
    // The quiet project's export sent after the busy one's backfill was taken before any of it.
    expect(new Set(taken.slice(0, 4))).toEqual(new Set(waiting.keys()));
  });
});
