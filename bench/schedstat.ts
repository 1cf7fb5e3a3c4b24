/**
 * Where a phase's slow requests waited (BENCH_SCHEDSTAT=1): every thread of the benchmark's
 * processes is read from Linux's /proc/<pid>/task/<tid>/schedstat (time on a CPU, time
 * runnable but waiting for one, times scheduled) every 20 ms, and set against the load
 * generator's requests. A thread's wait is time the kernel had it ready to run and gave the
 * core to another, which is what a shared machine adds to a request's latency; no profiler
 * shows it. Read by hand from /proc: nothing on npm reads schedstat.
 */
import { readdirSync, readFileSync } from "node:fs";
import { round } from "./stats.js";

const SAMPLE_EVERY_MS = 20;
/** Requests slower than this are "slow" (the half-load target's bound), up to FAST_MS "fast". */
const SLOW_MS = 50;
const FAST_MS = 20;

/** Nanoseconds on a CPU and waiting for one, per thread name (numbered threads pooled), and timeslices. */
type TProcessSample = { threads: Map<string, [number, number]>; slices: number };
type TSample = { atMs: number; processes: Map<string, TProcessSample> };

function readProcess(pid: number, names: Map<number, string>): TProcessSample | null {
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return null;
  }
  const threads = new Map<string, [number, number]>();
  let slices = 0;
  for (const tid of tids) {
    try {
      const [onCpu = 0, waiting = 0, timeslices = 0] = readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8")
        .split(" ")
        .map(Number);
      let name = names.get(Number(tid));
      if (name === undefined) {
        // "ThreadPool12" and "ThreadPool3" are one pool.
        name = readFileSync(`/proc/${pid}/task/${tid}/comm`, "utf8").trim().replace(/\d+$/, "#");
        names.set(Number(tid), name);
      }
      const sum = threads.get(name) ?? [0, 0];
      threads.set(name, [sum[0] + onCpu, sum[1] + waiting]);
      slices += timeslices;
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return { threads, slices };
}

/** Samples the named processes until stopped. */
export function startSchedSampler(pids: Record<string, number | undefined>) {
  const names = new Map<number, string>();
  const samples: TSample[] = [];
  const take = () => {
    const processes = new Map<string, TProcessSample>();
    for (const [role, pid] of Object.entries(pids)) {
      const sample = pid === undefined ? null : readProcess(pid, names);
      if (sample) processes.set(role, sample);
    }
    samples.push({ atMs: Date.now(), processes });
  };
  take();
  const timer = setInterval(take, SAMPLE_EVERY_MS);
  return {
    stop(): TSample[] {
      clearInterval(timer);
      take();
      return samples;
    },
  };
}

/** The last sample taken at or before `atMs`. */
function sampleAt(samples: readonly TSample[], atMs: number): TSample {
  let low = 0;
  let high = samples.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if ((samples[middle] as TSample).atMs <= atMs) low = middle;
    else high = middle - 1;
  }
  return samples[low] as TSample;
}

/**
 * Per process thread (as `process:thread`), milliseconds on a CPU and waiting for one per
 * millisecond of the given requests' time in flight, the largest first.
 */
function perThread(samples: readonly TSample[], windows: readonly [number, number][]) {
  const totals = new Map<string, [number, number]>();
  let inFlightMs = 0;
  for (const [start, end] of windows) {
    inFlightMs += end - start;
    const before = sampleAt(samples, start);
    const after = sampleAt(samples, end);
    for (const [role, process] of after.processes) {
      for (const [name, [onCpu, waiting]] of process.threads) {
        const [onCpuBefore, waitingBefore] = before.processes.get(role)?.threads.get(name) ?? [onCpu, waiting];
        const key = `${role}:${name}`;
        const sum = totals.get(key) ?? [0, 0];
        totals.set(key, [sum[0] + (onCpu - onCpuBefore) / 1e6, sum[1] + (waiting - waitingBefore) / 1e6]);
      }
    }
  }
  return [...totals]
    .map(([thread, [onCpu, waiting]]) => ({
      thread,
      onCpuPerMs: round(onCpu / Math.max(inFlightMs, 1), 3),
      waitingPerMs: round(waiting / Math.max(inFlightMs, 1), 3),
    }))
    .filter((row) => row.onCpuPerMs + row.waitingPerMs >= 0.02)
    .sort((a, b) => b.onCpuPerMs + b.waitingPerMs - (a.onCpuPerMs + a.waitingPerMs))
    .slice(0, 12);
}

/**
 * What the phase's processes did per request (timeslices, CPU and wait), and, for the
 * requests slower than SLOW_MS against those under FAST_MS, which threads ran and which
 * waited while they were in flight.
 */
export function schedSummary(
  samples: readonly TSample[],
  requests: { startsMs: readonly number[]; latenciesMs: readonly number[] },
) {
  const count = requests.startsMs.length;
  if (count === 0 || samples.length < 2) return null;
  const first = sampleAt(samples, Math.min(...requests.startsMs));
  const last = sampleAt(
    samples,
    Math.max(...requests.startsMs.map((start, i) => start + (requests.latenciesMs[i] ?? 0))),
  );
  const perRequest: Record<string, { timeslices: number; onCpuMicros: number; waitingMicros: number }> = {};
  for (const [role, process] of last.processes) {
    const before = first.processes.get(role);
    if (!before) continue;
    const sum = (sample: TProcessSample, index: 0 | 1) =>
      [...sample.threads.values()].reduce((total, pair) => total + pair[index], 0);
    perRequest[role] = {
      timeslices: round((process.slices - before.slices) / count, 2),
      onCpuMicros: round((sum(process, 0) - sum(before, 0)) / 1e3 / count),
      waitingMicros: round((sum(process, 1) - sum(before, 1)) / 1e3 / count),
    };
  }
  const windows = (keep: (latency: number) => boolean) =>
    requests.startsMs.flatMap((start, i): [number, number][] => {
      const latency = requests.latenciesMs[i] ?? 0;
      return keep(latency) ? [[start, start + latency]] : [];
    });
  const slow = windows((latency) => latency > SLOW_MS);
  const fast = windows((latency) => latency <= FAST_MS);
  return {
    sampleEveryMs: SAMPLE_EVERY_MS,
    perRequest,
    slowRequests: { overMs: SLOW_MS, count: slow.length, threads: perThread(samples, slow) },
    fastRequests: { upToMs: FAST_MS, count: fast.length, threads: perThread(samples, fast) },
  };
}
