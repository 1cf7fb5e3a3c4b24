/**
 * One load phase of the ingest benchmark (bench/ingest.ts): the generator sends, this
 * process times sampled traces to queryable, samples every process's memory and CPU and
 * the queue depth, and records queryable spans per window.
 */
import type { ChildProcess } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import { getClickHouse } from "../apps/all-in-one/test/pipeline-harness.js";
import { QueueName } from "../packages/core/src/index.js";
import { getQueue, waitingExports } from "../packages/queue/src/index.js";
import { SPANS_PER_REQUEST } from "./ingest-bodies.js";
import type { TLoadCommand, TLoadMessage } from "./ingest-load.js";
import {
  createMemorySampler,
  createProcessSampler,
  latencySummary,
  mib,
  redisCpuSeconds,
  redisPid,
} from "./ingest-measure.js";
import { kernelThreads, processesNamed, schedSummary, startSchedSampler } from "./schedstat.js";
import { round } from "./stats.js";

const QUERYABLE_TIMEOUT_MS = 180_000;
/** When set, queue depth, acknowledged requests and memory are printed to stderr every 250 ms. */
const TIMELINE = process.env.BENCH_TIMELINE === "1";
/** When set, every process's threads are sampled for time on and waiting for a CPU (bench/schedstat.ts). */
const SCHEDSTAT = process.env.BENCH_SCHEDSTAT === "1";

/** Processes beside this one whose CPU and memory each phase reports. */
export type TSidecars = { receiver: ChildProcess | null; clickhouse: ChildProcess | null; worker: ChildProcess | null };

type TDone = Extract<TLoadMessage, { type: "done" }>;
export type TPipelineTarget = { baseUrl: string; secretKey: string; projectId: string };

async function countSpans(projectId: string): Promise<number> {
  const result = await getClickHouse().query({
    query: "SELECT count() AS c FROM spans WHERE project_id = {projectId:String}",
    query_params: { projectId },
    format: "JSONEachRow",
  });
  const rows = await result.json<{ c: string | number }>();
  return Number(rows[0]?.c ?? 0);
}

/** Bytes the embedded engine accounts for (caches, inserts, merges): its MemoryTracking metric. */
async function engineTrackedBytes(): Promise<number> {
  const result = await getClickHouse().query({
    query: "SELECT value FROM system.metrics WHERE metric = 'MemoryTracking'",
    format: "JSONEachRow",
  });
  const rows = await result.json<{ value: string | number }>();
  return Number(rows[0]?.value ?? 0);
}

/** Which of the project's `traceIds` have a span queryable. */
export async function findTraces(projectId: string, traceIds: string[]): Promise<Set<string>> {
  const result = await getClickHouse().query({
    query:
      "SELECT DISTINCT trace_id FROM spans WHERE project_id = {projectId:String} AND trace_id IN {traceIds:Array(String)}",
    query_params: { projectId, traceIds },
    format: "JSONEachRow",
  });
  return new Set((await result.json<{ trace_id: string }>()).map((row) => row.trace_id));
}

/**
 * Runs one load phase: the generator sends, this process times sampled traces to
 * queryable, samples memory and queue depth, and records queryable spans per window.
 */
export async function runPhase(
  generator: ChildProcess,
  target: TPipelineTarget,
  command: TLoadCommand,
  windowS = 0,
  sidecars: TSidecars = { receiver: null, clickhouse: null, worker: null },
) {
  const lags: number[] = [];
  const pending = new Map<string, number>();
  // The engine's own accounting belongs to whichever process embeds it.
  const memory = createMemorySampler(sidecars.clickhouse ? undefined : engineTrackedBytes);
  const engineMemory = sidecars.clickhouse ? createMemorySampler(engineTrackedBytes) : null;
  const windows: { atS: number; queryableSpansPerSecond: number; ackedSpansPerSecond: number }[] = [];
  let maxQueueDepth = 0;
  let acked = 0;
  let stopped = false;

  const onMessage = (message: TLoadMessage) => {
    if (message.type === "sample") pending.set(message.traceId, message.ackAt);
    if (message.type === "progress") acked = message.okRequests;
  };
  generator.on("message", onMessage);
  const done = new Promise<TDone>((resolve) => {
    const onDone = (message: TLoadMessage) => {
      if (message.type !== "done") return;
      generator.off("message", onDone);
      resolve(message);
    };
    generator.on("message", onDone);
  });

  const phaseStart = Date.now();
  const cpuAtStart = process.cpuUsage();
  const redisCpuAtStart = await redisCpuSeconds();
  const receiverSampler = sidecars.receiver?.pid ? createProcessSampler(sidecars.receiver.pid) : null;
  const clickhouseSampler = sidecars.clickhouse?.pid ? createProcessSampler(sidecars.clickhouse.pid) : null;
  const workerSampler = sidecars.worker?.pid ? createProcessSampler(sidecars.worker.pid) : null;
  const thisProcess = workerSampler ? "benchProcess" : "pipelineProcess";
  const schedSampler = SCHEDSTAT
    ? startSchedSampler({
        [thisProcess]: process.pid,
        receiver: sidecars.receiver?.pid,
        worker: sidecars.worker?.pid,
        clickhouse: sidecars.clickhouse?.pid,
        generator: generator.pid,
        redis: await redisPid(),
        kernel: kernelThreads,
        // Postgres answers the receiver's API key lookups when its cache misses.
        postgres: () => processesNamed("postgres"),
      })
    : null;
  const lagLoop = (async () => {
    while (!stopped) {
      if (pending.size > 0) {
        const found = await findTraces(target.projectId, [...pending.keys()]);
        const now = Date.now();
        for (const traceId of found) {
          const ackAt = pending.get(traceId);
          if (ackAt !== undefined) lags.push(now - ackAt);
          pending.delete(traceId);
        }
      }
      const depth = await waitingExports();
      maxQueueDepth = Math.max(maxQueueDepth, depth);
      if (TIMELINE) {
        process.stderr.write(
          `t=${((Date.now() - phaseStart) / 1000).toFixed(1)} acked=${acked} depth=${depth} active=${await getQueue(QueueName.OtlpIngest).getActiveCount()} rss=${mib(process.memoryUsage().rss)} heapUsed=${mib(process.memoryUsage().heapUsed)} heapTotal=${mib(process.memoryUsage().heapTotal)} engine=${mib(await engineTrackedBytes())}${workerSampler ? ` workerRss=${mib(workerSampler.current().rss)}` : ""}\n`,
        );
      }
      await sleep(250);
    }
  })();
  const windowLoop = (async () => {
    if (windowS <= 0) return;
    let lastCount = 0;
    let lastAcked = 0;
    let lastAt = phaseStart;
    while (!stopped) {
      await sleep(windowS * 1000);
      if (stopped) break;
      const count = await countSpans(target.projectId);
      const now = Date.now();
      const seconds = (now - lastAt) / 1000;
      windows.push({
        atS: Math.round((now - phaseStart) / 1000),
        queryableSpansPerSecond: Math.round((count - lastCount) / seconds),
        ackedSpansPerSecond: Math.round(((acked - lastAcked) * SPANS_PER_REQUEST) / seconds),
      });
      lastCount = count;
      lastAcked = acked;
      lastAt = now;
    }
  })();

  generator.send(command);
  const result = await done;
  const schedSamples = schedSampler?.stop();
  const sched =
    schedSamples && result.startsMs
      ? schedSummary(schedSamples, { startsMs: result.startsMs, latenciesMs: result.latenciesMs })
      : null;
  if (result.builtWhileSending > 0) {
    console.error(`note: ${result.builtWhileSending} requests were built while sending (prepared ones ran out)`);
  }
  const ackedSpans = result.okRequests * SPANS_PER_REQUEST;
  const deadline = Date.now() + QUERYABLE_TIMEOUT_MS;
  let allQueryableAt = Date.now();
  for (;;) {
    const count = await countSpans(target.projectId);
    allQueryableAt = Date.now();
    if (count >= ackedSpans) break;
    if (allQueryableAt > deadline) throw new Error(`only ${count}/${ackedSpans} spans queryable after timeout`);
    await sleep(100);
  }
  const pipelineCpuMicros = (({ user, system }) => user + system)(process.cpuUsage(cpuAtStart));
  const redisCpuMicros = ((await redisCpuSeconds()) - redisCpuAtStart) * 1e6;
  const receiverCpuMicros = receiverSampler?.cpuMicros() ?? 0;
  const clickhouseCpuMicros = clickhouseSampler?.cpuMicros() ?? 0;
  const workerCpuMicros = workerSampler?.cpuMicros() ?? 0;
  await sleep(300);
  stopped = true;
  await Promise.all([lagLoop, windowLoop]);
  generator.off("message", onMessage);

  const sendSeconds = (result.endedAt - result.startedAt) / 1000;
  return {
    projectId: target.projectId,
    sendSeconds: round(sendSeconds, 2),
    requests: result.sentRequests,
    okRequests: result.okRequests,
    failedByStatus: result.failedByStatus,
    ackedSpans,
    ackedSpansPerSecond: Math.round(ackedSpans / sendSeconds),
    endToEndSpansPerSecond: Math.round(ackedSpans / ((allQueryableAt - result.startedAt) / 1000)),
    drainAfterSendEndMs: allQueryableAt - result.endedAt,
    maxQueueDepthRequests: maxQueueDepth,
    ingestLatencyMs: latencySummary(result.latenciesMs),
    ingestToQueryableLagMs: {
      samples: lags.length,
      missing: pending.size,
      pollIntervalMs: 250,
      ...latencySummary(lags),
    },
    // With the worker in its own process, this one only coordinates and measures.
    [thisProcess]: memory.stop(),
    ...(workerSampler ? { workerProcess: workerSampler.stop() } : {}),
    ...(receiverSampler ? { receiverProcess: receiverSampler.stop() } : {}),
    ...(clickhouseSampler
      ? {
          clickhouseProcess: {
            ...clickhouseSampler.stop(),
            maxEngineTrackedMiB: engineMemory?.stop().maxEngineTrackedMiB ?? 0,
          },
        }
      : {}),
    // CPU per acknowledged span, first send → all queryable; the machine has two cores.
    cpuMicrosPerSpan: {
      [thisProcess]: round(pipelineCpuMicros / ackedSpans),
      ...(workerSampler ? { workerProcess: round(workerCpuMicros / ackedSpans) } : {}),
      ...(receiverSampler ? { receiverProcess: round(receiverCpuMicros / ackedSpans) } : {}),
      ...(clickhouseSampler ? { clickhouseProcess: round(clickhouseCpuMicros / ackedSpans) } : {}),
      loadGenerator: round(result.cpuMicros / ackedSpans),
      redis: round(redisCpuMicros / ackedSpans),
    },
    loadGeneratorMaxRssMiB: mib(result.maxRssBytes),
    loadGeneratorLoopDelayMs: result.loopDelayMs,
    ...(result.lateSends ? { loadGeneratorLateSends: result.lateSends } : {}),
    requestsBuiltWhileSending: result.builtWhileSending,
    ...(windows.length > 0 ? { windows } : {}),
    ...(sched ? { schedstat: sched } : {}),
  };
}
