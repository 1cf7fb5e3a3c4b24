/**
 * How the ingest benchmark measures: latency summaries, memory and CPU of its processes
 * (this one, the receiver, Redis), and an optional CPU profile.
 */
import { readFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { Session } from "node:inspector/promises";
import { QueueName } from "../packages/core/src/index.js";
import { getQueue } from "../packages/queue/src/index.js";
import { percentile, round } from "./stats.js";

export const mib = (bytes: number) => round(bytes / 1024 / 1024);

export const latencySummary = (values: number[]) => ({
  p50: round(percentile(values, 50)),
  p90: round(percentile(values, 90)),
  p99: round(percentile(values, 99)),
  max: round(percentile(values, 100)),
});

/**
 * This process's memory: the worker and embedded ClickHouse together (and the receiver
 * in the all-in-one layout). `engineMemory` reads what the engine itself accounts for
 * (its MemoryTracking metric: caches, inserts, merges), so the rest is Node's.
 */
export function createMemorySampler(engineMemory?: () => Promise<number>) {
  const max = { rss: 0, heapUsed: 0, heapTotal: 0, external: 0, rssAnon: 0, rssFile: 0, engine: 0 };
  const sample = () => {
    const usage = process.memoryUsage();
    max.rss = Math.max(max.rss, usage.rss);
    max.heapUsed = Math.max(max.heapUsed, usage.heapUsed);
    max.heapTotal = Math.max(max.heapTotal, usage.heapTotal);
    max.external = Math.max(max.external, usage.external);
    // RSS splits into anonymous memory (heaps, caches, buffers) and file-backed pages,
    // mostly the mapped embedded-engine library, shared and reclaimable by the kernel.
    const split = processMemory(process.pid);
    max.rssAnon = Math.max(max.rssAnon, split.rssAnon);
    max.rssFile = Math.max(max.rssFile, split.rssFile);
    engineMemory?.().then(
      (bytes) => {
        max.engine = Math.max(max.engine, bytes);
      },
      () => undefined,
    );
  };
  sample();
  const timer = setInterval(sample, 1000);
  return {
    current: () => ({ ...process.memoryUsage() }),
    stop() {
      clearInterval(timer);
      sample();
      return {
        maxRssMiB: mib(max.rss),
        maxRssAnonMiB: mib(max.rssAnon),
        maxRssFileMiB: mib(max.rssFile),
        maxJsHeapUsedMiB: mib(max.heapUsed),
        maxJsHeapTotalMiB: mib(max.heapTotal),
        maxEngineTrackedMiB: mib(max.engine),
        maxExternalMiB: mib(max.external),
      };
    },
  };
}

/** CPU microseconds a process has used so far (user + system, all threads), from /proc. */
export function processCpuMicros(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return ((Number(fields[11]) + Number(fields[12])) / 100) * 1e6;
}

/** A process's resident memory now, split as in /proc/PID/status (0 once it has exited). */
function processMemory(pid: number): { rss: number; rssAnon: number; rssFile: number } {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kib = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0) * 1024;
    return { rss: kib("VmRSS"), rssAnon: kib("RssAnon"), rssFile: kib("RssFile") };
  } catch {
    return { rss: 0, rssAnon: 0, rssFile: 0 };
  }
}

/** Another process's CPU and largest resident memory over a phase, sampled from /proc each second. */
export function createProcessSampler(pid: number) {
  const cpuAtStart = processCpuMicros(pid);
  const max = { rss: 0, rssAnon: 0 };
  const sample = () => {
    const now = processMemory(pid);
    max.rss = Math.max(max.rss, now.rss);
    max.rssAnon = Math.max(max.rssAnon, now.rssAnon);
  };
  sample();
  const timer = setInterval(sample, 1000);
  return {
    cpuMicros: () => processCpuMicros(pid) - cpuAtStart,
    current: () => processMemory(pid),
    stop() {
      clearInterval(timer);
      sample();
      return { maxRssMiB: mib(max.rss), maxRssAnonMiB: mib(max.rssAnon) };
    },
  };
}

/** CPU seconds Redis has used, from INFO: all its threads plus forked children (AOF rewrites, snapshots). */
/** Numeric fields of Redis's `INFO`, by name (0 when absent). */
async function redisInfo(): Promise<(name: string) => number> {
  const info = await (await getQueue(QueueName.OtlpIngest).client).info();
  return (name) => Number(new RegExp(`${name}:([0-9.]+)`).exec(info)?.[1] ?? 0);
}

/** What the Redis server holds in all, every database and prefix included. */
export async function redisUsedMemoryMiB(): Promise<number> {
  return (await redisInfo())("used_memory") / (1024 * 1024);
}

export async function redisCpuSeconds(): Promise<number> {
  const read = await redisInfo();
  return read("used_cpu_sys") + read("used_cpu_user") + read("used_cpu_sys_children") + read("used_cpu_user_children");
}

/** The Redis server's process id, when it runs on this machine's /proc (0 is never a server's). */
export async function redisPid(): Promise<number | undefined> {
  return (await redisInfo())("process_id") || undefined;
}

/** Profiles this process's main thread (open in Chrome DevTools or speedscope). */
export async function startCpuProfile() {
  const session = new Session();
  session.connect();
  await session.post("Profiler.enable");
  await session.post("Profiler.start");
  return {
    async stop(file: string) {
      const { profile } = await session.post("Profiler.stop");
      await writeFile(file, JSON.stringify(profile));
      session.disconnect();
      console.error(`cpu profile of phase (b): ${file}`);
    },
  };
}
