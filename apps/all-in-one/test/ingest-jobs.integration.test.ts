import { toClickHouseTime } from "@spanlens/clickhouse";
import { QueueName } from "@spanlens/core";
import { getQueue, getRedis, otlpBodyKey, readIngestProblems } from "@spanlens/queue";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getClickHouse, startPipeline, type TPipeline, waitFor } from "./pipeline-harness.js";

// Queued jobs the worker cannot simply store: bodies gone past their week, payloads from a
// newer receiver. Put in the queue directly, as they would be found there.
let pipeline: TPipeline;

beforeAll(async () => {
  pipeline = await startPipeline();
});

afterAll(async () => {
  await pipeline.stop();
});

describe("bodies past their expiry", () => {
  it("fails for good a job whose body expired before it was stored, and completes one whose receipt shows it was", async () => {
    const queue = getQueue(QueueName.OtlpIngest);
    const DAY_MS = 86_400_000;
    const receivedAt = Date.now() - 8 * DAY_MS;
    const job = (jobId: string) => ({
      projectId: pipeline.projectId,
      requestId: jobId,
      contentId: `content-${jobId}`,
      signal: "traces",
      encoding: "protobuf",
      // Never written, as a body gone with its week.
      bodyKey: otlpBodyKey(jobId),
      compression: "gzip",
      receivedAt,
      bytes: 10,
      records: 7,
      transport: "grpc",
      userAgent: "OTel-OTLP-Exporter-JavaScript/0.301.1",
    });
    const stamp = Date.now();
    const lostId = `expired-lost-${stamp}`;
    const storedId = `expired-stored-${stamp}`;
    // The receipt the worker wrote when it stored the second request, before it crashed
    // without completing the job and no worker ran for over a week.
    await getClickHouse().insert({
      table: "ingest_receipts",
      values: [
        {
          project_id: pipeline.projectId,
          request_id: `content-${storedId}`,
          received_at: toClickHouseTime(receivedAt),
          span_count: 10,
          bytes: 10,
        },
      ],
      format: "JSONEachRow",
    });
    await queue.add("traces", job(lostId), { jobId: lostId, attempts: 20 });
    await queue.add("traces", job(storedId), { jobId: storedId, attempts: 20 });

    const lost = await waitFor(
      () => queue.getJob(lostId),
      (value) => value?.finishedOn !== undefined,
    );
    expect(await lost?.getState()).toBe("failed");
    // Failed for good at its first attempt: no retry can bring a body back.
    expect(lost?.attemptsMade).toBe(1);
    expect(lost?.failedReason).toBe(
      `the request's body expired before it was stored (bodies are kept 7 days from arrival; this request arrived ${new Date(receivedAt).toISOString()}): its traces are lost`,
    );
    const stored = await waitFor(
      () => queue.getJob(storedId),
      (value) => value?.finishedOn !== undefined,
    );
    expect(await stored?.getState()).toBe("completed");
    // The exporter was answered 200 a week ago: the project hears of the loss here, once.
    const problems = await waitFor(
      () => readIngestProblems(getRedis(), pipeline.projectId),
      (list) => list.length > 0,
    );
    expect(problems).toEqual([
      expect.objectContaining({
        stage: "worker",
        status: 200,
        count: 1,
        droppedRecords: 7,
        keptRecords: 0,
        transport: "grpc",
        signal: "traces",
        userAgent: "OTel-OTLP-Exporter-JavaScript/0.301.1",
        message: lost?.failedReason,
        note: "Accepted, then not stored: no retry can store it, so its spans are lost.",
      }),
    ]);
    await Promise.all([lost?.remove(), stored?.remove()]);
  });
});

describe("rolling upgrades", () => {
  it("retries a job it cannot read, as a newer receiver's, instead of failing it for good", async () => {
    const queue = getQueue(QueueName.OtlpIngest);
    const jobId = `newer-${Date.now()}`;
    const project = await pipeline.createProject();
    await queue.add(
      "traces",
      {
        projectId: project.projectId,
        requestId: jobId,
        signal: "traces",
        encoding: "protobuf",
        bodyKey: otlpBodyKey(jobId),
        // A body compression a later release might add.
        compression: "brotli",
        receivedAt: Date.now(),
        bytes: 10,
      },
      { jobId, attempts: 20, backoff: { type: "exponential", delay: 60_000 } },
    );
    const job = await waitFor(
      () => queue.getJob(jobId),
      (value) => (value?.attemptsMade ?? 0) >= 1,
    );
    expect(await job?.getState()).toBe("delayed");
    expect(job?.failedReason).toMatch(/cannot read \(queued by a newer receiver\? upgrade the workers\)/);
    await job?.remove();
    // The operator's to fix, and retried: past the worker's next write of problems (every 2 s),
    // the project was told nothing.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect(await readIngestProblems(getRedis(), project.projectId)).toEqual([]);
  });
});
