import { createServer as createHttpServer } from "node:http";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { closeClickHouse, getClickHouse, initClickHouse, listTraces } from "@spanlens/clickhouse";
import { QueueName, RESOURCE_TRUNCATED_ATTRIBUTE, RESOURCE_VALUE_MAX_CHARS } from "@spanlens/core";
import { createApiKey, getPrisma } from "@spanlens/db";
import { getQueue } from "@spanlens/queue";
import { describe, expect, it } from "vitest";
import { createSmallSpans, toProtobufBody } from "./otlp-payloads.js";
import { waitFor } from "./pipeline-harness.js";
import {
  exitOf,
  expectStoredOnce,
  harness,
  queuedJobs,
  sendTraces,
  startWorkerProcess,
  useWorkerProcesses,
  workerHealthIngest,
} from "./worker-process-harness.js";

/**
 * The worker as its own OS process (apps/worker/src/main.ts): killed with SIGKILL while it
 * holds a batch of acknowledged jobs whose rows are not yet in ClickHouse (a second worker
 * process picks the stalled jobs up, and every span must end up stored exactly once),
 * stopped while an insert hangs, and under a heap bound given exports whose rows outgrow it.
 * Exports that stop every worker holding them: worker-process-stuck.integration.test.ts.
 */

const REQUESTS = 30;

useWorkerProcesses();

describe("worker process stopped while an insert hangs", () => {
  it("exits at WORKER_SHUTDOWN_TIMEOUT_MS, and the next worker stores the jobs it held", async () => {
    // A ClickHouse that answers the worker's start-up (ping, CREATE DATABASE) but never an insert.
    let insertsStarted = 0;
    const hanging = createHttpServer((req, res) => {
      if (req.url?.startsWith("/ping")) {
        res.end("Ok.\n");
      } else if (decodeURIComponent(req.url ?? "").includes("INSERT")) {
        insertsStarted += 1;
      } else {
        req.resume();
        req.on("end", () => res.end());
      }
    });
    await new Promise<void>((resolve) => hanging.listen(0, "127.0.0.1", resolve));
    const address = hanging.address();
    if (!address || typeof address === "string") throw new Error("no port");
    const project = await getPrisma().project.create({ data: { orgId: harness.orgId, name: "shutdown" } });
    const key = (await createApiKey(project.id)).secretKey;

    try {
      const stuck = await startWorkerProcess({
        CLICKHOUSE_URL: `http://127.0.0.1:${address.port}`,
        WORKER_BATCH_MAX_WAIT_MS: "50",
        WORKER_SHUTDOWN_TIMEOUT_MS: "1000",
      });
      const traceIds = await sendTraces(key, 5);
      await waitFor(
        async () => insertsStarted,
        (started) => started > 0,
      );
      stuck.kill("SIGTERM");
      // Exit code 1 is the deadline's: a graceful stop exits 0 and a hung one never exits.
      expect(await exitOf(stuck)).toBe(1);
      expect(await queuedJobs()).toBeGreaterThan(0);

      const next = await startWorkerProcess();
      await waitFor(queuedJobs, (jobs) => jobs === 0, 60_000);
      next.kill("SIGTERM");
      expect(await exitOf(next)).toBe(0);
      await expectStoredOnce(project.id, traceIds);
    } finally {
      hanging.closeAllConnections();
      await new Promise((resolve) => hanging.close(resolve));
      // Releases the data directory for the next test's worker processes.
      await closeClickHouse();
    }
  }, 180_000);
});

describe("worker process killed with SIGKILL mid-batch", () => {
  it("redelivers the stalled jobs to the next worker and stores every acknowledged span once", async () => {
    const first = await startWorkerProcess();
    const traceIds = await sendTraces(harness.secretKey, REQUESTS);

    // The first worker has taken jobs and holds their rows in its batch.
    await waitFor(
      () => getQueue(QueueName.OtlpIngest).getActiveCount(),
      (active) => active > 0,
    );
    first.kill("SIGKILL");
    await exitOf(first);
    expect(await queuedJobs()).toBeGreaterThan(0);

    const second = await startWorkerProcess();
    await waitFor(queuedJobs, (jobs) => jobs === 0, 60_000);
    expect(await workerHealthIngest()).toEqual({ waiting: 0, active: 0, delayed: 0, failed: 0 });
    // A job that fails for good shows on the health endpoint with what to do about it.
    await getQueue(QueueName.OtlpIngest).add("traces", { unreadable: true }, { jobId: "unreadable", attempts: 1 });
    const withFailed = await waitFor(workerHealthIngest, (ingest) => ingest.failed === 1);
    expect(withFailed.hint).toMatch(/pnpm queue:retry-failed/);
    second.kill("SIGTERM");
    expect(await exitOf(second)).toBe(0);

    await expectStoredOnce(harness.projectId, traceIds);
  }, 180_000);

  it("stores every acknowledged span once when the worker that took over the stalled jobs is killed too", async () => {
    const project = await getPrisma().project.create({ data: { orgId: harness.orgId, name: "killed twice" } });
    const key = (await createApiKey(project.id)).secretKey;
    // An earlier test may still hold the data directory's engine open in this process.
    await closeClickHouse();
    const failedBefore = await getQueue(QueueName.OtlpIngest).getFailedCount();
    const first = await startWorkerProcess();
    const traceIds = await sendTraces(key, REQUESTS);
    await waitFor(
      () => getQueue(QueueName.OtlpIngest).getActiveCount(),
      (active) => active > 0,
    );
    first.kill("SIGKILL");
    await exitOf(first);

    // The next worker fetches the stalled jobs first, and holds them in its batch when it dies too.
    const second = await startWorkerProcess();
    await waitFor(
      async () => (await getQueue(QueueName.OtlpIngest).getActive()).some((job) => job.stalledCounter >= 1),
      (holdsStalled) => holdsStalled,
      30_000,
    );
    second.kill("SIGKILL");
    await exitOf(second);

    const third = await startWorkerProcess();
    await waitFor(queuedJobs, (jobs) => jobs === 0, 60_000);
    const failed = await getQueue(QueueName.OtlpIngest).getFailedCount();
    third.kill("SIGTERM");
    expect(await exitOf(third)).toBe(0);
    // BullMQ's default (a job may stall once) failed the twice-stalled jobs here for good.
    expect(failed - failedBefore).toBe(0);
    await expectStoredOnce(project.id, traceIds);
  }, 180_000);
});

describe("worker process under a heap bound", () => {
  it("stores exports whose rows outgrow its heap: 100,000 small spans, and 2,000 spans under a 1 MB resource", async () => {
    const project = await getPrisma().project.create({ data: { orgId: harness.orgId, name: "heap bound" } });
    const key = (await createApiKey(project.id)).secretKey;
    const manySpans = createSmallSpans(100_000, { "service.name": "bulk" });
    const commandLine = `java -cp ${"lib/a.jar:".repeat(100_000)}`;
    const underLargeResource = createSmallSpans(2000, {
      "service.name": "classpath",
      "process.command_line": commandLine,
    });
    const bodies = [toProtobufBody(manySpans), toProtobufBody(underLargeResource)];
    // Both well under the receiver's 16 MB limit: 8.4 MB and 1.2 MB.
    expect(bodies.map((body) => Math.round(body.byteLength / 1e5) / 10)).toEqual([8.4, 1.2]);

    // Before slices and bounded resource attributes, either export alone ran this worker out
    // of heap (SIGABRT) on every delivery; the first needed over 900 MB.
    // An earlier test may still hold the data directory's engine open in this process.
    await closeClickHouse();
    const worker = await startWorkerProcess({ WORKER_BATCH_MAX_WAIT_MS: "200" }, ["--max-old-space-size=256"]);
    const failedBefore = await getQueue(QueueName.OtlpIngest).getFailedCount();
    for (const body of bodies) {
      const response = await fetch(`${harness.baseUrl}/v1/traces`, {
        method: "POST",
        headers: {
          "Content-Type": "application/x-protobuf",
          "Content-Encoding": "gzip",
          Authorization: `Bearer ${key}`,
        },
        body: gzipSync(body),
      });
      expect(response.status).toBe(200);
    }
    await waitFor(queuedJobs, (jobs) => jobs === 0, 120_000);
    expect(worker.exitCode).toBeNull();
    expect(worker.signalCode).toBeNull();
    // Neither job failed (an earlier test leaves one unreadable job in the failed set).
    expect(await getQueue(QueueName.OtlpIngest).getFailedCount()).toBe(failedBefore);
    worker.kill("SIGTERM");
    expect(await exitOf(worker)).toBe(0);

    await initClickHouse({ mode: "embedded", path: path.join(harness.dataDir, "clickhouse"), database: "spanlens" });
    try {
      const result = await getClickHouse().query({
        query: `SELECT resource_attributes['service.name'] AS service, toUInt32(count()) AS rows,
                  toUInt32(uniqExact(span_id)) AS distinct,
                  toUInt32(max(length(resource_attributes['process.command_line']))) AS kept,
                  any(resource_attributes['${RESOURCE_TRUNCATED_ATTRIBUTE}']) AS marker
                FROM spans FINAL WHERE project_id = {projectId:String} GROUP BY service ORDER BY service`,
        query_params: { projectId: project.id },
        format: "JSONEachRow",
      });
      expect(await result.json()).toEqual([
        { service: "bulk", rows: 100_000, distinct: 100_000, kept: 0, marker: "" },
        {
          service: "classpath",
          rows: 2000,
          distinct: 2000,
          kept: RESOURCE_VALUE_MAX_CHARS,
          marker: `cut to ${RESOURCE_VALUE_MAX_CHARS} characters: process.command_line (${commandLine.length})`,
        },
      ]);
      // The rollup counts every span of each trace once.
      const list = await listTraces(getClickHouse(), {
        projectId: project.id,
        from: new Date(Date.now() - 3600_000),
        to: new Date(Date.now() + 60_000),
        limit: 10,
      });
      expect(list.data.map((trace) => trace.spanCount).sort((a, b) => a - b)).toEqual([2000, 100_000]);
    } finally {
      await closeClickHouse();
    }
  }, 300_000);
});
