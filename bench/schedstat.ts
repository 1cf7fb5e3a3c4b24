/**
 * Where a phase's slow requests waited (BENCH_SCHEDSTAT=1): every thread of the benchmark's
 * processes is read from Linux's /proc/<pid>/task/<tid>/schedstat (time on a CPU, time
 * runnable but waiting for one, times scheduled) every 20 ms, and set against the load
 * generator's requests. A thread's wait is time the kernel had it ready to run and gave the
 * core to another, which is what a shared machine adds to a request's latency; no profiler
 * shows it. Read by hand from /proc: each file is one line of three numbers.
 */
import { closeSync, openSync, readdirSync, readFileSync, readSync } from "node:fs";
import { round } from "./stats.js";

const SAMPLE_EVERY_MS = 20;
/** Threads started since are looked for every this many samples (half a second). */
const LIST_EVERY = 25;
/** Requests slower than this are "slow" (the half-load target's bound), up to FAST_MS "fast". */
const SLOW_MS = 50;
const FAST_MS = 20;

/**
 * One reading of every sampled thread. Each `process:thread` name (numbered threads pooled:
 * "ThreadPool12" and "ThreadPool3" are one pool) has a column; a reading holds nanoseconds on
 * a CPU and waiting for one per column, and timeslices per process (NaN when it could not be
 * read). Flat arrays, so a 300-second phase's 15,000 readings stay a few tens of MB.
 */
type TSample = { atMs: number; cpuAndWait: Float64Array; slices: Float64Array };
type TSamples = { roles: string[]; columns: Map<string, number>; columnRole: number[]; samples: TSample[] };

/** Samples the named processes until stopped. */
export function startSchedSampler(pids: Record<string, number | undefined>) {
  const roles = Object.keys(pids);
  const set: TSamples = { roles, columns: new Map(), columnRole: [], samples: [] };
  const column = (role: number, name: string): number => {
    const key = `${roles[role]}:${name}`;
    let index = set.columns.get(key);
    if (index === undefined) {
      index = set.columns.size;
      set.columns.set(key, index);
      set.columnRole.push(role);
    }
    return index;
  };
  // Each thread's schedstat stays open and is read again from its start: a sample reads ~80
  // threads, and opening each file every 20 ms cost the benchmark's process three times as much.
  const threads = new Map<number, { fd: number; column: number; role: number }>();
  const list = () => {
    roles.forEach((role, roleIndex) => {
      const pid = pids[role];
      let tids: string[];
      try {
        tids = pid === undefined ? [] : readdirSync(`/proc/${pid}/task`);
      } catch {
        return;
      }
      for (const tid of tids.map(Number)) {
        if (threads.has(tid)) continue;
        try {
          const name = readFileSync(`/proc/${pid}/task/${tid}/comm`, "utf8").trim().replace(/\d+$/, "#");
          const fd = openSync(`/proc/${pid}/task/${tid}/schedstat`, "r");
          threads.set(tid, { fd, column: column(roleIndex, name), role: roleIndex });
        } catch {
          // The thread ended between the listing and the read.
        }
      }
    });
  };
  const buffer = Buffer.alloc(128);
  let taken = 0;
  const take = () => {
    // New threads are looked for every LIST_EVERY samples; pools start theirs early.
    if (taken % LIST_EVERY === 0) list();
    taken += 1;
    const totals = new Float64Array(2 * set.columns.size);
    const slices = new Float64Array(roles.length).map((_, role) =>
      pids[roles[role] as string] === undefined ? Number.NaN : 0,
    );
    for (const [tid, thread] of threads) {
      try {
        const length = readSync(thread.fd, buffer, 0, buffer.length, 0);
        const [onCpu = 0, waiting = 0, timeslices = 0] = buffer.toString("latin1", 0, length).split(" ").map(Number);
        totals[2 * thread.column] = (totals[2 * thread.column] as number) + onCpu;
        totals[2 * thread.column + 1] = (totals[2 * thread.column + 1] as number) + waiting;
        slices[thread.role] = (slices[thread.role] as number) + timeslices;
      } catch {
        // The thread ended: its time leaves its pool's sum from here on.
        closeSync(thread.fd);
        threads.delete(tid);
      }
    }
    set.samples.push({ atMs: Date.now(), cpuAndWait: totals, slices });
  };
  take();
  const timer = setInterval(take, SAMPLE_EVERY_MS);
  return {
    stop(): TSamples {
      clearInterval(timer);
      take();
      for (const thread of threads.values()) closeSync(thread.fd);
      threads.clear();
      return set;
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

/** A column's nanoseconds (0: on a CPU, 1: waiting) in a reading; 0 for a thread not started yet. */
const value = (sample: TSample, column: number, which: 0 | 1): number => sample.cpuAndWait[2 * column + which] ?? 0;

/**
 * Per process thread (as `process:thread`), milliseconds on a CPU and waiting for one per
 * millisecond of the given requests' time in flight, the largest first.
 */
function perThread(set: TSamples, windows: readonly [number, number][]) {
  const onCpu = new Float64Array(set.columns.size);
  const waiting = new Float64Array(set.columns.size);
  let inFlightMs = 0;
  for (const [start, end] of windows) {
    inFlightMs += end - start;
    const before = sampleAt(set.samples, start);
    const after = sampleAt(set.samples, end);
    for (let column = 0; column < set.columns.size; column += 1) {
      onCpu[column] = (onCpu[column] as number) + (value(after, column, 0) - value(before, column, 0)) / 1e6;
      waiting[column] = (waiting[column] as number) + (value(after, column, 1) - value(before, column, 1)) / 1e6;
    }
  }
  return [...set.columns]
    .map(([thread, column]) => ({
      thread,
      onCpuPerMs: round((onCpu[column] as number) / Math.max(inFlightMs, 1), 3),
      waitingPerMs: round((waiting[column] as number) / Math.max(inFlightMs, 1), 3),
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
export function schedSummary(set: TSamples, requests: { startsMs: readonly number[]; latenciesMs: readonly number[] }) {
  const count = requests.startsMs.length;
  if (count === 0 || set.samples.length < 2) return null;
  // A loop, not Math.min(...): a 300-second phase has more requests than a call takes arguments.
  let firstStart = Number.POSITIVE_INFINITY;
  let lastEnd = Number.NEGATIVE_INFINITY;
  requests.startsMs.forEach((start, i) => {
    firstStart = Math.min(firstStart, start);
    lastEnd = Math.max(lastEnd, start + (requests.latenciesMs[i] ?? 0));
  });
  const first = sampleAt(set.samples, firstStart);
  const last = sampleAt(set.samples, lastEnd);
  const perRequest: Record<string, { timeslices: number; onCpuMicros: number; waitingMicros: number }> = {};
  set.roles.forEach((role, roleIndex) => {
    const slices = (last.slices[roleIndex] as number) - (first.slices[roleIndex] as number);
    if (Number.isNaN(slices)) return;
    let onCpu = 0;
    let waiting = 0;
    set.columnRole.forEach((columnRole, column) => {
      if (columnRole !== roleIndex) return;
      onCpu += value(last, column, 0) - value(first, column, 0);
      waiting += value(last, column, 1) - value(first, column, 1);
    });
    perRequest[role] = {
      timeslices: round(slices / count, 2),
      onCpuMicros: round(onCpu / 1e3 / count),
      waitingMicros: round(waiting / 1e3 / count),
    };
  });
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
    slowRequests: { overMs: SLOW_MS, count: slow.length, threads: perThread(set, slow) },
    fastRequests: { upToMs: FAST_MS, count: fast.length, threads: perThread(set, fast) },
  };
}
