import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import type { Server } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { closeClickHouse, getClickHouse, initClickHouse, listTraces } from "@spanlens/clickhouse";
import { QueueName } from "@spanlens/core";
import { closePrisma, createApiKey, getPrisma } from "@spanlens/db";
import { startIngest } from "@spanlens/ingest";
import { closeQueues, closeRedis, getQueue } from "@spanlens/queue";
import { afterAll, beforeAll, expect } from "vitest";
import { createMessagesSpan, createTraceSpans, toJsonBody, toProtobufBody } from "./otlp-payloads.js";
import { freePort, waitFor } from "./pipeline-harness.js";

/**
 * The worker as its own OS process (apps/worker/src/main.ts), for the tests that start, kill and
 * restart it: an embedded ClickHouse data directory and a queue prefix of the test file's own,
 * the receiver in this process, and what the tests read back. `useWorkerProcesses` installs the
 * file's set-up and tear-down; `harness` holds what it created.
 */

const ROOT = path.resolve(import.meta.dirname, "../../..");
const SPANS_PER_REQUEST = 5;

/** Set by `useWorkerProcesses` before the file's tests run. */
export const harness = { dataDir: "", baseUrl: "", orgId: "", projectId: "", secretKey: "" };
let ingest: Server | undefined;
const children = new Set<ChildProcess>();
const queuePrefix = `test-${randomUUID()}`;

export function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    SPANLENS_DATA_DIR: harness.dataDir,
    SPANLENS_QUEUE_PREFIX: queuePrefix,
    // Rows wait in the batch long enough for the kill to land before any insert.
    WORKER_BATCH_MAX_WAIT_MS: "1500",
    WORKER_LOCK_DURATION_MS: "3000",
    WORKER_STALLED_INTERVAL_MS: "1000",
    LOG_LEVEL: "warn",
    ...extra,
  };
}

export function run(script: string, env: NodeJS.ProcessEnv, nodeFlags: string[] = []): ChildProcess {
  const child = spawn(process.execPath, [...nodeFlags, "--conditions=@spanlens/source", "--import", "tsx", script], {
    cwd: ROOT,
    env,
    stdio: ["ignore", "inherit", "inherit"],
  });
  children.add(child);
  child.once("exit", () => children.delete(child));
  return child;
}

export function exitOf(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once("exit", (code) => resolve(code)));
}

let lastHealthPort = 0;

export async function startWorkerProcess(
  extra: Record<string, string> = {},
  nodeFlags: string[] = [],
): Promise<ChildProcess> {
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
export async function workerHealthIngest(): Promise<Record<string, unknown>> {
  const body = (await (await fetch(`http://127.0.0.1:${lastHealthPort}/`)).json()) as {
    ingest: Record<string, unknown>;
  };
  return body.ingest;
}

export async function queuedJobs(): Promise<number> {
  const counts = await getQueue(QueueName.OtlpIngest).getJobCounts("waiting", "active", "delayed", "prioritized");
  return Object.values(counts).reduce((sum, count) => sum + count, 0);
}

export function useWorkerProcesses(): void {
  beforeAll(setUp, 120_000);
  afterAll(tearDown);
}

async function setUp(): Promise<void> {
  harness.dataDir = await mkdtemp(path.join(tmpdir(), "spanlens-sigkill-"));
  process.env.SPANLENS_QUEUE_PREFIX = queuePrefix;
  const migrate = run("packages/clickhouse/src/cli/migrate.ts", childEnv());
  expect(await exitOf(migrate)).toBe(0);

  const org = await getPrisma().organization.create({ data: { name: `sigkill ${randomUUID()}` } });
  harness.orgId = org.id;
  const project = await getPrisma().project.create({ data: { orgId: org.id, name: "sigkill" } });
  harness.projectId = project.id;
  harness.secretKey = (await createApiKey(project.id)).secretKey;
  ingest = await startIngest({ port: 0, hostname: "127.0.0.1" });
  const address = ingest.address();
  if (!address || typeof address === "string") throw new Error("ingest did not bind a port");
  harness.baseUrl = `http://127.0.0.1:${address.port}`;
}

async function tearDown(): Promise<void> {
  for (const child of children) child.kill("SIGKILL");
  await new Promise((resolve) => ingest?.close(resolve));
  await closeQueues();
  await closeRedis();
  await closeClickHouse();
  if (harness.orgId) await getPrisma().organization.delete({ where: { id: harness.orgId } });
  await closePrisma();
  await rm(harness.dataDir, { recursive: true, force: true });
}

/** Every span of these traces stored once, read after the worker processes are gone. */
export async function expectStoredOnce(project: string, traceIds: string[]): Promise<void> {
  // chdb lets one process hold the data directory: read it once the workers are gone.
  await initClickHouse({ mode: "embedded", path: path.join(harness.dataDir, "clickhouse"), database: "spanlens" });
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
export async function sendHeavyExport(project: string, key: string): Promise<string> {
  const response = await fetch(`${harness.baseUrl}/v1/traces`, {
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
export async function sendHeavyBeside(names: { beside: string; heavy: string }, exports: number) {
  const project = await getPrisma().project.create({ data: { orgId: harness.orgId, name: names.beside } });
  const key = (await createApiKey(project.id)).secretKey;
  const other = await getPrisma().project.create({ data: { orgId: harness.orgId, name: names.heavy } });
  const otherKey = (await createApiKey(other.id)).secretKey;
  // An earlier test may still hold the data directory's engine open in this process.
  await closeClickHouse();
  const traceIds = await sendTraces(key, exports);
  const heavy = await sendHeavyExport(other.id, otherKey);
  return { project, key, other, traceIds, heavy, failedBefore: await getQueue(QueueName.OtlpIngest).getFailedCount() };
}

export async function sendTraces(key: string, requests: number): Promise<string[]> {
  const traceIds: string[] = [];
  for (let index = 0; index < requests; index += 1) {
    const spans = createTraceSpans(SPANS_PER_REQUEST);
    const response = await fetch(`${harness.baseUrl}/v1/traces`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${key}` },
      body: toJsonBody(spans),
    });
    expect(response.status).toBe(200);
    traceIds.push(spans[0]?.spanContext().traceId ?? "");
  }
  return traceIds;
}
