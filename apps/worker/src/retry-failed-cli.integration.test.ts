import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { QueueName } from "@spanlens/core";
import {
  closeQueues,
  createConsumer,
  deleteQueuePrefix,
  getQueue,
  otlpBodyKey,
  queueConnection,
} from "@spanlens/queue";
import { UnrecoverableError } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// The command an operator runs, as its own process, against real Redis under this file's prefix.
const cli = fileURLToPath(new URL("./retry-failed-cli.ts", import.meta.url));
const prefix = `test-${randomUUID()}`;

beforeAll(() => {
  process.env.SPANLENS_QUEUE_PREFIX = prefix;
});

afterAll(async () => {
  await deleteQueuePrefix(prefix, await queueConnection(getQueue(QueueName.OtlpIngest)));
  await closeQueues();
});

async function runCli(env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      ["--conditions=@spanlens/source", "--import", "tsx", cli],
      { env: { ...process.env, SPANLENS_QUEUE_PREFIX: prefix, ...env } },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe("pnpm queue:retry-failed", () => {
  it("puts ingest jobs that failed for good back in the queue, where a worker stores them", async () => {
    const queue = getQueue(QueueName.OtlpIngest);
    await queue.add("traces", { requestId: "r1" }, { jobId: "r1", attempts: 1 });
    await queue.add("traces", { requestId: "r2" }, { jobId: "r2", attempts: 1 });
    // A worker that cannot store anything (as with ClickHouse away past every retry).
    let storing = false;
    const stored: string[] = [];
    const worker = createConsumer<{ requestId: string }, void>(QueueName.OtlpIngest, async (job) => {
      if (!storing) throw new UnrecoverableError("ClickHouse is unreachable");
      stored.push(job.data.requestId);
    });
    await expect.poll(() => queue.getFailedCount(), { timeout: 10_000 }).toBe(2);

    storing = true;
    const run = await runCli();
    expect(run).toMatchObject({
      code: 0,
      stdout: "otlp-ingest: 2 failed jobs are back in the queue; running workers store them now\n",
    });
    await expect.poll(() => stored.sort(), { timeout: 10_000 }).toEqual(["r1", "r2"]);
    expect(await queue.getFailedCount()).toBe(0);
    await worker.close();

    expect(await runCli()).toMatchObject({ code: 0, stdout: "otlp-ingest: no failed jobs\n" });
  });

  it("removes, instead of retrying, failed jobs whose bodies are gone, and names their projects", async () => {
    const queue = getQueue(QueueName.OtlpIngest);
    const redis = await queueConnection(queue);
    const job = (requestId: string, projectId: string) => ({ requestId, projectId, bodyKey: otlpBodyKey(requestId) });
    await redis.set(otlpBodyKey("kept"), "body", "EX", 60);
    await queue.add("traces", job("kept", "project-a"), { jobId: "kept", attempts: 1 });
    for (const [id, project] of [
      ["gone-1", "project-a"],
      ["gone-2", "project-b"],
      ["gone-3", "project-b"],
    ]) {
      await queue.add("traces", job(id as string, project as string), { jobId: id, attempts: 1 });
    }
    // A job from an earlier version carries its body inline: never taken for gone.
    await queue.add(
      "traces",
      { requestId: "inline", projectId: "project-a", body: "Ym9keQ==" },
      {
        jobId: "inline",
        attempts: 1,
      },
    );
    let storing = false;
    const stored: string[] = [];
    const worker = createConsumer<{ requestId: string }, void>(QueueName.OtlpIngest, async (job) => {
      if (!storing) throw new UnrecoverableError("ClickHouse is unreachable");
      stored.push(job.data.requestId);
    });
    await expect.poll(() => queue.getFailedCount(), { timeout: 10_000 }).toBe(5);

    storing = true;
    const run = await runCli();
    expect(run).toMatchObject({
      code: 0,
      stdout: [
        "otlp-ingest: removed 3 failed jobs whose request bodies are gone from Redis (kept 7 days from arrival, or deleted once their rows were stored): no retry can store them. Jobs per project:",
        "  project project-b: 2",
        "  project project-a: 1",
        "otlp-ingest: 2 failed jobs are back in the queue; running workers store them now",
        "",
      ].join("\n"),
    });
    await expect.poll(() => stored.sort(), { timeout: 10_000 }).toEqual(["inline", "kept"]);
    expect(await queue.getJob("gone-1")).toBeUndefined();
    expect(await queue.getFailedCount()).toBe(0);
    await worker.close();
  });

  it("names REDIS_URL when Redis cannot be reached", async () => {
    const run = await runCli({ REDIS_URL: "redis://127.0.0.1:1" });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^spanlens queue:retry-failed: REDIS_URL \(redis:\/\/127\.0\.0\.1:1\) is unreachable/);
  });
});
