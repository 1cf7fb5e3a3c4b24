import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer as createHttpServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { gzipSync } from "node:zlib";
import { closeClickHouse, getClickHouse, initClickHouse, listTraces } from "@spanlens/clickhouse";
import { QueueName, RESOURCE_TRUNCATED_ATTRIBUTE, RESOURCE_VALUE_MAX_CHARS } from "@spanlens/core";
import { closePrisma, createApiKey, getPrisma } from "@spanlens/db";
import { startIngest } from "@spanlens/ingest";
import { closeQueues, closeRedis, getQueue, getRedis, readIngestProblems } from "@spanlens/queue";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMessagesSpan, createSmallSpans, createTraceSpans, toJsonBody, toProtobufBody } from "./otlp-payloads.js";
import { freePort, waitFor } from "./pipeline-harness.js";

/**
 * The worker as its own OS process (apps/worker/src/main.ts): killed with SIGKILL while it
 * holds a batch of acknowledged jobs whose rows are not yet in ClickHouse (a second worker
 * process picks the stalled jobs up, and every span must end up stored exactly once),
 * stopped while an insert hangs, and under a heap bound given exports whose rows outgrow it.
 */

const ROOT = path.resolve(import.meta.dirname, "../../..");
const REQUESTS = 30;
const SPANS_PER_REQUEST = 5;

let dataDir: string;
let ingest: Server;
let baseUrl: string;
let orgId: string;
let projectId: string;
let secretKey: string;
const children = new Set<ChildProcess>();
const queuePrefix = `test-${randomUUID()}`;

function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    SPANLENS_DATA_DIR: dataDir,
    SPANLENS_QUEUE_PREFIX: queuePrefix,
    // Rows wait in the batch long enough for the kill to land before any insert.
    WORKER_BATCH_MAX_WAIT_MS: "1500",
    WORKER_LOCK_DURATION_MS: "3000",
    WORKER_STALLED_INTERVAL_MS: "1000",
    LOG_LEVEL: "warn",
    ...extra,
  };
}

function run(script: string, env: NodeJS.ProcessEnv, nodeFlags: string[] = []): ChildProcess {
  const child = spawn(process.execPath, [...nodeFlags, "--conditions=@spanlens/source", "--import", "tsx", script], {
    cwd: ROOT,
    env,
    stdio: ["ignore", "inherit", "inherit"],
  });
  children.add(child);
  child.once("exit", () => children.delete(child));
  return child;
}

function exitOf(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once("exit", (code) => resolve(code)));
}

let lastHealthPort = 0;

async function startWorkerProcess(extra: Record<string, string> = {}, nodeFlags: string[] = []): Promise<ChildProcess> {
  const port = await freePort();
  const child = run("apps/worker/src/main.ts", childEnv({ WORKER_HEALTH_PORT: String(port), ...extra }), nodeFlags);
  await waitFor(
    () =>
      fetch(`http://127.0.0.1:${port}/`)
        .then((response) => response.ok)
        .catch(() => false),
    (ready) => ready,
    60_000,
  );
  lastHealthPort = port;
  return child;
}

/** What the running worker's health endpoint says about the ingest queue. */
async function workerHealthIngest(): Promise<Record<string, unknown>> {
  const body = (await (await fetch(`http://127.0.0.1:${lastHealthPort}/`)).json()) as {
    ingest: Record<string, unknown>;
  };
  return body.ingest;
}

async function queuedJobs(): Promise<number> {
  const counts = await getQueue(QueueName.OtlpIngest).getJobCounts("waiting", "active", "delayed", "prioritized");
  return Object.values(counts).reduce((sum, count) => sum + count, 0);
}

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), "spanlens-sigkill-"));
  process.env.SPANLENS_QUEUE_PREFIX = queuePrefix;
  const migrate = run("packages/clickhouse/src/cli/migrate.ts", childEnv());
  expect(await exitOf(migrate)).toBe(0);

  const org = await getPrisma().organization.create({ data: { name: `sigkill ${randomUUID()}` } });
  orgId = org.id;
  const project = await getPrisma().project.create({ data: { orgId, name: "sigkill" } });
  projectId = project.id;
  secretKey = (await createApiKey(projectId)).secretKey;
  ingest = await startIngest({ port: 0, hostname: "127.0.0.1" });
  const address = ingest.address();
  if (!address || typeof address === "string") throw new Error("ingest did not bind a port");
  baseUrl = `http://127.0.0.1:${address.port}`;
}, 120_000);

afterAll(async () => {
  for (const child of children) child.kill("SIGKILL");
  await new Promise((resolve) => ingest?.close(resolve));
  await closeQueues();
  await closeRedis();
  await closeClickHouse();
  if (orgId) await getPrisma().organization.delete({ where: { id: orgId } });
  await closePrisma();
  await rm(dataDir, { recursive: true, force: true });
});

/** Every span of these traces stored once, read after the worker processes are gone. */
async function expectStoredOnce(project: string, traceIds: string[]): Promise<void> {
  // chdb lets one process hold the data directory: read it once the workers are gone.
  await initClickHouse({ mode: "embedded", path: path.join(dataDir, "clickhouse"), database: "spanlens" });
  const result = await getClickHouse().query({
    query: `SELECT count() AS rows, uniqExact(trace_id, span_id) AS distinct FROM spans FINAL
            WHERE project_id = {projectId:String}`,
    query_params: { projectId: project },
    format: "JSONEachRow",
  });
  const [row] = await result.json<{ rows: string; distinct: string }>();
  expect({ rows: Number(row?.rows), distinct: Number(row?.distinct) }).toEqual({
    rows: traceIds.length * SPANS_PER_REQUEST,
    distinct: traceIds.length * SPANS_PER_REQUEST,
  });

  const list = await listTraces(getClickHouse(), {
    projectId: project,
    from: new Date(Date.now() - 3600_000),
    to: new Date(Date.now() + 60_000),
    limit: 100,
  });
  expect(list.data.map((trace) => trace.traceId).sort()).toEqual([...traceIds].sort());
  expect(new Set(list.data.map((trace) => trace.spanCount))).toEqual(new Set([SPANS_PER_REQUEST]));
}

/**
 * One span of 300,000 messages (10.6 MB), which a worker takes a good half second to decode and
 * normalize: the export that stands for one a worker never finishes, or that crashes it. Returns
 * its queued job's id.
 */
async function sendHeavyExport(project: string, key: string): Promise<string> {
  const response = await fetch(`${baseUrl}/v1/traces`, {
    method: "POST",
    headers: { "Content-Type": "application/x-protobuf", "Content-Encoding": "gzip", Authorization: `Bearer ${key}` },
    body: gzipSync(toProtobufBody(createMessagesSpan(300_000))),
  });
  expect(response.status).toBe(200);
  const heavy = (await getQueue(QueueName.OtlpIngest).getWaiting()).find((job) => job.data.projectId === project);
  if (!heavy?.id) throw new Error("the heavy export was not queued");
  return heavy.id;
}

/**
 * Two projects: one sends `exports` small exports, the other then the heavy export
 * (`sendHeavyExport`), so that a worker has fetched the small ones when it starts on it.
 */
async function sendHeavyBeside(names: { beside: string; heavy: string }, exports: number) {
  const project = await getPrisma().project.create({ data: { orgId, name: names.beside } });
  const key = (await createApiKey(project.id)).secretKey;
  const other = await getPrisma().project.create({ data: { orgId, name: names.heavy } });
  const otherKey = (await createApiKey(other.id)).secretKey;
  // An earlier test may still hold the data directory's engine open in this process.
  await closeClickHouse();
  const traceIds = await sendTraces(key, exports);
  const heavy = await sendHeavyExport(other.id, otherKey);
  const queue = getQueue(QueueName.OtlpIngest);
  return { project, key, other, traceIds, heavy, queue, failedBefore: await queue.getFailedCount() };
}

async function sendTraces(key: string, requests: number): Promise<string[]> {
  const traceIds: string[] = [];
  for (let index = 0; index < requests; index += 1) {
    const spans = createTraceSpans(SPANS_PER_REQUEST);
    const response = await fetch(`${baseUrl}/v1/traces`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${key}` },
      body: toJsonBody(spans),
    });
    expect(response.status).toBe(200);
    traceIds.push(spans[0]?.spanContext().traceId ?? "");
  }
  return traceIds;
}

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
    const project = await getPrisma().project.create({ data: { orgId, name: "shutdown" } });
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
    const traceIds = await sendTraces(secretKey, REQUESTS);

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

    await expectStoredOnce(projectId, traceIds);
  }, 180_000);

  it("stores every acknowledged span once when the worker that took over the stalled jobs is killed too", async () => {
    const project = await getPrisma().project.create({ data: { orgId, name: "killed twice" } });
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

describe("an export that stops every worker process holding it", () => {
  it("fails by itself once it runs alone, and the exports held beside it are stored once", async () => {
    // The export the test's kills stand for an out-of-memory killer's; the kill lands while
    // the worker encodes it.
    const { project, other, traceIds, heavy, queue, failedBefore } = await sendHeavyBeside(
      { beside: "held beside", heavy: "stops its worker" },
      6,
    );

    let crashes = 0;
    const heldAtCrashes: number[] = [];
    for (let round = 0; round < 8 && (await queuedJobs()) > 0; round += 1) {
      // Rows wait in their batch for as long as the test runs, unless their job runs alone.
      const worker = await startWorkerProcess({
        WORKER_BATCH_MAX_WAIT_MS: "60000",
        WORKER_LOCK_DURATION_MS: "2000",
        WORKER_STALLED_INTERVAL_MS: "500",
        WORKER_MAX_STALLED_COUNT: "2",
      });
      // Held by this worker: a killed worker's jobs stay listed as active until the next
      // worker's stalled check hands them out again, which counts the stall.
      const seen = await waitFor(
        async () => {
          const active = (await queue.getActive()).find((job) => job.id === heavy);
          return { holds: active?.stalledCounter === crashes, left: await queuedJobs() };
        },
        ({ holds, left }) => holds || left === 0,
        60_000,
      );
      if (!seen.holds) {
        worker.kill("SIGTERM");
        expect(await exitOf(worker)).toBe(0);
        break;
      }
      await sleep(100);
      // On its last delivery it runs alone, which the worker's health endpoint shows.
      if (crashes === 2) {
        expect((await workerHealthIngest()).runningApart).toEqual({ jobs: 1, concurrency: 1 });
      }
      // What this worker holds carries its lock: a killed worker's jobs stay listed as active
      // until a stalled check hands them out again, but their locks expire.
      const active = await queue.getActive();
      const locked = await Promise.all(active.map((job) => getRedis().exists(`${queue.toKey(job.id as string)}:lock`)));
      heldAtCrashes.push(locked.filter((exists) => exists === 1).length);
      worker.kill("SIGKILL");
      await exitOf(worker);
      crashes += 1;
    }

    // Killed three times (WORKER_MAX_STALLED_COUNT 2), then failed when next fetched.
    expect(crashes).toBe(3);
    const failed = await queue.getJob(heavy);
    expect(failed?.failedReason).toBe("job stalled more than allowable limit");
    expect((await queue.getFailedCount()) - failedBefore).toBe(1);
    // The first kill took every other export down with it, the second whichever of them the
    // next worker had been handed back by then; the third found it alone.
    expect(heldAtCrashes[0]).toBe(7);
    expect(heldAtCrashes[2]).toBe(1);
    const [problem] = await readIngestProblems(getRedis(), other.id);
    expect(problem).toMatchObject({
      stage: "worker",
      droppedRecords: 1,
      message: "The worker stopped (crashed, was killed or ran out of memory) each of the 3 times it held this export",
    });
    expect(problem?.note).toMatch(/The last time it ran with no other export beside it/);
    await expectStoredOnce(project.id, traceIds);
  }, 240_000);
});

describe("an export whose encoding never ends", () => {
  it("in an encoding thread: the thread is stopped at the time limit, the export fails on its second attempt, the rest is stored", async () => {
    // The heavy export is past the limit below on every attempt, as one the decoder never
    // finishes would be.
    const { project, key, other, traceIds, heavy, queue, failedBefore } = await sendHeavyBeside(
      { beside: "encoded beside", heavy: "never encoded" },
      4,
    );
    const worker = await startWorkerProcess({
      WORKER_ENCODE_THREADS: "1",
      WORKER_ENCODE_TIMEOUT_MS: "150",
      WORKER_BATCH_MAX_WAIT_MS: "200",
    });
    await waitFor(queuedJobs, (jobs) => jobs === 0, 60_000);

    const failed = await queue.getJob(heavy);
    expect(failed?.failedReason).toBe(
      "encoding a slice of this export took longer than 150 ms on two attempts, and was stopped both times",
    );
    expect(failed?.attemptsMade).toBe(2);
    expect((await queue.getFailedCount()) - failedBefore).toBe(1);
    // The worker writes problems in batches, a moment later.
    const [problem] = await waitFor(
      () => readIngestProblems(getRedis(), other.id),
      (problems) => problems.length > 0,
      10_000,
    );
    expect(problem).toMatchObject({ stage: "worker", droppedRecords: 1, message: failed?.failedReason });
    expect(problem?.note).toMatch(/ran past the worker's time limit on two attempts/);
    // The worker lives on, and the thread that replaced the stopped one encodes what comes next.
    traceIds.push(...(await sendTraces(key, 2)));
    await waitFor(queuedJobs, (jobs) => jobs === 0, 60_000);
    expect([worker.exitCode, worker.signalCode]).toEqual([null, null]);
    worker.kill("SIGTERM");
    expect(await exitOf(worker)).toBe(0);
    await expectStoredOnce(project.id, traceIds);
  }, 120_000);

  it("on the event loop: the watchdog kills the stuck worker, and once alone the export fails by itself", async () => {
    const { project, other, traceIds, heavy, queue, failedBefore } = await sendHeavyBeside(
      { beside: "held beside a stuck loop", heavy: "blocks the loop" },
      6,
    );

    // Nothing here kills a worker: each one that ends was killed by its own watchdog, its loop
    // held past the limit by the export, which runs alone from its first stall on.
    const ends: Array<NodeJS.Signals | number | null> = [];
    for (let round = 0; round < 5 && (await queuedJobs()) > 0; round += 1) {
      // Not waited on until ready: a worker may be stuck before its health endpoint answers.
      const worker = run("apps/worker/src/main.ts", {
        ...childEnv(),
        WORKER_HEALTH_PORT: String(await freePort()),
        WORKER_ENCODE_THREADS: "0",
        WORKER_BLOCKED_EXIT_MS: "250",
        WORKER_BATCH_MAX_WAIT_MS: "60000",
        WORKER_LOCK_DURATION_MS: "2000",
        WORKER_STALLED_INTERVAL_MS: "500",
        WORKER_MAX_STALLED_COUNT: "1",
      });
      const exited = exitOf(worker).then(() => worker.signalCode ?? worker.exitCode);
      const settled = waitFor(queuedJobs, (jobs) => jobs === 0, 60_000).then(() => "settled" as const);
      const end = await Promise.race([exited, settled]);
      if (end === "settled") {
        worker.kill("SIGTERM");
        expect(await exitOf(worker)).toBe(0);
        break;
      }
      ends.push(end);
    }

    expect(ends).toEqual(["SIGKILL", "SIGKILL"]);
    const failed = await queue.getJob(heavy);
    expect(failed?.failedReason).toBe("job stalled more than allowable limit");
    expect((await queue.getFailedCount()) - failedBefore).toBe(1);
    const [problem] = await readIngestProblems(getRedis(), other.id);
    expect(problem).toMatchObject({
      droppedRecords: 1,
      message: "The worker stopped (crashed, was killed or ran out of memory) each of the 2 times it held this export",
    });
    expect(problem?.note).toMatch(/The last time it ran with no other export beside it/);
    await expectStoredOnce(project.id, traceIds);
  }, 180_000);
});

describe("worker process under a heap bound", () => {
  it("stores exports whose rows outgrow its heap: 100,000 small spans, and 2,000 spans under a 1 MB resource", async () => {
    const project = await getPrisma().project.create({ data: { orgId, name: "heap bound" } });
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
      const response = await fetch(`${baseUrl}/v1/traces`, {
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

    await initClickHouse({ mode: "embedded", path: path.join(dataDir, "clickhouse"), database: "spanlens" });
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
