/**
 * Where a phase's slow requests waited (BENCH_SCHEDSTAT=1): every thread of the benchmark's
 * processes is read from Linux's /proc/<pid>/task/<tid>/schedstat (time on a CPU, time
 * runnable but waiting for one, times scheduled) every 20 ms, and set against the load
 * generator's requests. A thread's wait is time the kernel had it ready to run and gave the
 * core to another, which is what a shared machine adds to a request's latency; no profiler
 * shows it. Each sample also reads the whole machine's CPU time from /proc/stat, so a window
 * also shows how busy the cores were with work no sampled thread accounts for: interrupts,
 * processes outside the benchmark, or threads that started and ended between two listings.
 * Each process given by its pid is also read whole, from /proc/<pid>/stat, which keeps the
 * time of its ended threads: its CPU beyond its sampled threads' is that of threads never
 * listed. Read by hand from /proc: each schedstat file is one line of three numbers,
 * /proc/stat's first line the machine's totals, and /proc/<pid>/stat one line of fields.
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
type TSample = {
  atMs: number;
  cpuAndWait: Float64Array;
  slices: Float64Array;
  machine: Float64Array;
  /** Per role given as one pid, the whole process's CPU ticks so far (NaN otherwise). */
  processTicks: Float64Array;
};
type TSamples = { roles: string[]; columns: Map<string, number>; columnRole: number[]; samples: TSample[] };

/**
 * The columns of /proc/stat's `cpu` line kept, in clock ticks summed over every core: `user`
 * and `nice` together; `system`; `irq` and `softirq` together; `steal` (time a hypervisor ran
 * something else, when it says so); and `idle` with `iowait`.
 */
const MACHINE = ["user", "system", "interrupts", "steal", "idle"] as const;
/** Where a machine reading keeps the processes and threads started since boot, after the `MACHINE` ticks. */
const FORKS = MACHINE.length;
/** Clock ticks per second in /proc/stat (USER_HZ, 100 on every Linux architecture that matters). */
const TICKS_PER_SECOND = 100;

/** The machine's CPU ticks by kind (`MACHINE`), then the processes and threads it has started since boot. */
function readMachine(fd: number, buffer: Buffer): Float64Array {
  const length = readSync(fd, buffer, 0, buffer.length, 0);
  const text = buffer.toString("latin1", 0, length);
  const line = text.split("\n", 1)[0] ?? "";
  const forks = Number(/^processes (\d+)$/m.exec(text)?.[1] ?? 0);
  // cpu user nice system idle iowait irq softirq steal guest guest_nice
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = line
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  return Float64Array.of(user + nice, system, irq + softirq, steal, idle + iowait, forks);
}

/**
 * A process's CPU ticks (user and system) from /proc/<pid>/stat: every thread it has, and
 * every thread it had, since the kernel adds an ended thread's time to its process. Set
 * against the sum of its sampled threads, this is the time of threads never listed: those
 * that started and ended between two listings. NaN once the process has ended.
 */
function readProcessTicks(fd: number, buffer: Buffer): number {
  try {
    const length = readSync(fd, buffer, 0, buffer.length, 0);
    const text = buffer.toString("latin1", 0, length);
    // The command name may hold spaces and parentheses: fields are counted after its last ")".
    // From there, field 3 (state) is first; utime and stime are fields 14 and 15.
    const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return Number.NaN;
  }
}

/**
 * The kernel's own threads (kworkers, ksoftirqd, kswapd, memory monitors such as kdamond):
 * the children of kthreadd (pid 2), listed again with the other threads, since kworkers come
 * and go. Empty where /proc does not list a task's children.
 */
export function kernelThreads(): number[] {
  try {
    return readFileSync("/proc/2/task/2/children", "utf8").trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/**
 * Every process with this command name (such as `postgres`: a server and a process per
 * connection, which come and go), for sampling a service the benchmark did not start.
 */
export function processesNamed(name: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, "utf8").trim() === name) pids.push(Number(entry));
    } catch {
      // The process ended meanwhile.
    }
  }
  return pids;
}

/**
 * Samples the named processes (a pid, or a list of them read again at each listing) until
 * stopped. `listEvery`: samples between two listings of new threads (tests set it).
 */
export function startSchedSampler(
  pids: Record<string, number | (() => number[]) | undefined>,
  { listEvery = LIST_EVERY }: { listEvery?: number } = {},
) {
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
  const threads = new Map<
    number,
    { fd: number; column: number; role: number; onCpu: number; waiting: number; timeslices: number }
  >();
  // What threads that have ended had used: it stays in their pool's sums, or a window across a
  // thread's end would lose its whole lifetime (the engine's pools end idle threads often).
  const ended = { cpuAndWait: [] as number[], slices: new Float64Array(roles.length) };
  const list = () => {
    roles.forEach((role, roleIndex) => {
      const spec = pids[role];
      for (const pid of typeof spec === "function" ? spec() : spec === undefined ? [] : [spec])
        listProcess(pid, roleIndex);
    });
  };
  const listProcess = (pid: number, roleIndex: number) => {
    let tids: string[];
    try {
      tids = readdirSync(`/proc/${pid}/task`);
    } catch {
      return;
    }
    for (const tid of tids.map(Number)) {
      if (threads.has(tid)) continue;
      try {
        const name = readFileSync(`/proc/${pid}/task/${tid}/comm`, "utf8").trim().replace(/\d+$/, "#");
        const fd = openSync(`/proc/${pid}/task/${tid}/schedstat`, "r");
        threads.set(tid, { fd, column: column(roleIndex, name), role: roleIndex, onCpu: 0, waiting: 0, timeslices: 0 });
      } catch {
        // The thread ended between the listing and the read.
      }
    }
  };
  const buffer = Buffer.alloc(128);
  // Each role given as one pid: its /proc/<pid>/stat, open for the sampler's life.
  const processFds = roles.map((role) => {
    const spec = pids[role];
    if (typeof spec !== "number") return null;
    try {
      return openSync(`/proc/${spec}/stat`, "r");
    } catch {
      return null;
    }
  });
  const processBuffer = Buffer.alloc(1024);
  const statFd = openSync("/proc/stat", "r");
  // The whole file (~1.2 KB on two cores; its `intr` line grows with the interrupt sources).
  const statBuffer = Buffer.alloc(16 * 1024);
  let taken = 0;
  const take = () => {
    // New threads are looked for every `listEvery` samples; pools start theirs early.
    if (taken % listEvery === 0) list();
    taken += 1;
    const totals = Float64Array.from({ length: 2 * set.columns.size }, (_, index) => ended.cpuAndWait[index] ?? 0);
    const slices = new Float64Array(roles.length).map((_, role) =>
      pids[roles[role] as string] === undefined ? Number.NaN : (ended.slices[role] as number),
    );
    for (const [tid, thread] of threads) {
      try {
        const length = readSync(thread.fd, buffer, 0, buffer.length, 0);
        const [onCpu = 0, waiting = 0, timeslices = 0] = buffer.toString("latin1", 0, length).split(" ").map(Number);
        Object.assign(thread, { onCpu, waiting, timeslices });
      } catch {
        // The thread ended: what it used at its last reading stays in its pool's sum.
        closeSync(thread.fd);
        threads.delete(tid);
        ended.cpuAndWait[2 * thread.column] = (ended.cpuAndWait[2 * thread.column] ?? 0) + thread.onCpu;
        ended.cpuAndWait[2 * thread.column + 1] = (ended.cpuAndWait[2 * thread.column + 1] ?? 0) + thread.waiting;
        ended.slices[thread.role] = (ended.slices[thread.role] as number) + thread.timeslices;
      }
      totals[2 * thread.column] = (totals[2 * thread.column] as number) + thread.onCpu;
      totals[2 * thread.column + 1] = (totals[2 * thread.column + 1] as number) + thread.waiting;
      slices[thread.role] = (slices[thread.role] as number) + thread.timeslices;
    }
    const processTicks = Float64Array.from(processFds, (fd) =>
      fd === null ? Number.NaN : readProcessTicks(fd, processBuffer),
    );
    set.samples.push({
      atMs: Date.now(),
      cpuAndWait: totals,
      slices,
      machine: readMachine(statFd, statBuffer),
      processTicks,
    });
  };
  take();
  const timer = setInterval(take, SAMPLE_EVERY_MS);
  return {
    stop(): TSamples {
      clearInterval(timer);
      take();
      for (const thread of threads.values()) closeSync(thread.fd);
      threads.clear();
      closeSync(statFd);
      for (const fd of processFds) if (fd !== null) closeSync(fd);
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
  const threads = [...set.columns]
    .map(([thread, column]) => ({
      thread,
      onCpuPerMs: round((onCpu[column] as number) / Math.max(inFlightMs, 1), 3),
      waitingPerMs: round((waiting[column] as number) / Math.max(inFlightMs, 1), 3),
    }))
    .filter((row) => row.onCpuPerMs + row.waitingPerMs >= 0.02)
    .sort((a, b) => b.onCpuPerMs + b.waitingPerMs - (a.onCpuPerMs + a.waitingPerMs))
    .slice(0, 12);
  return {
    threads,
    machine: machineCores(set, windows, onCpu, inFlightMs),
    processes: processCores(set, windows, onCpu, inFlightMs),
  };
}

/**
 * Per role given as one pid, over the same windows, in cores: the whole process's CPU, its
 * sampled threads' share, and the rest (`unlisted`: threads that started and ended between
 * two listings). Ticks of 10 ms, so coarse for one window and not for many.
 */
function processCores(
  set: TSamples,
  windows: readonly [number, number][],
  sampledOnCpuMs: Float64Array,
  inFlightMs: number,
) {
  const rows: Record<string, { process: number; sampled: number; unlisted: number }> = {};
  set.roles.forEach((role, roleIndex) => {
    const ticks = overWindows(set, windows, (sample) => sample.processTicks[roleIndex] ?? 0);
    // Not a single pid, or a window over its end.
    if (Number.isNaN(ticks)) return;
    let sampledMs = 0;
    set.columnRole.forEach((columnRole, column) => {
      if (columnRole === roleIndex) sampledMs += sampledOnCpuMs[column] as number;
    });
    const process = ticksToCores(ticks, inFlightMs);
    const sampled = round(sampledMs / Math.max(inFlightMs, 1), 3);
    rows[role] = { process, sampled, unlisted: round(process - sampled, 3) };
  });
  return rows;
}

/** What a reading grew by over the windows, summed (each window from the sample at its start to the one at its end). */
function overWindows(set: TSamples, windows: readonly [number, number][], read: (sample: TSample) => number): number {
  let sum = 0;
  for (const [start, end] of windows) sum += read(sampleAt(set.samples, end)) - read(sampleAt(set.samples, start));
  return sum;
}

/** /proc's clock ticks of CPU as cores: CPU milliseconds per millisecond in flight. */
function ticksToCores(ticks: number, inFlightMs: number): number {
  return round((ticks * (1000 / TICKS_PER_SECOND)) / Math.max(inFlightMs, 1), 3);
}

/**
 * The whole machine over the same windows, in cores (CPU milliseconds per millisecond in
 * flight): what it spent by kind, and how much of its busy time was not the sampled
 * processes' threads (`outsideSampled`: interrupts, other processes, threads never listed).
 * /proc/stat counts in 10 ms ticks, so a single window is coarse; summed over many it is not.
 */
function machineCores(
  set: TSamples,
  windows: readonly [number, number][],
  sampledOnCpuMs: Float64Array,
  inFlightMs: number,
) {
  const grown = (index: number) => overWindows(set, windows, (sample) => sample.machine[index] ?? 0);
  const byKind = Object.fromEntries(
    MACHINE.map((kind, index) => [kind, ticksToCores(grown(index), inFlightMs)]),
  ) as Record<(typeof MACHINE)[number], number>;
  const forks = grown(FORKS);
  const busy = round(byKind.user + byKind.system + byKind.interrupts + byKind.steal, 3);
  const sampled = round(sampledOnCpuMs.reduce((sum, ms) => sum + ms, 0) / Math.max(inFlightMs, 1), 3);
  // Processes and threads started machine-wide, per second in flight: one that starts and ends between two
  // listings of the sampled threads is counted here and nowhere else.
  const forksPerSecond = round((forks * 1000) / Math.max(inFlightMs, 1), 1);
  return { ...byKind, busy, sampled, outsideSampled: round(busy - sampled, 3), forksPerSecond };
}

/**
 * What the phase's processes did per request (timeslices, CPU and wait), and, for the
 * requests slower than SLOW_MS against those under FAST_MS, which threads ran and which
 * waited while they were in flight, and how busy the whole machine was meanwhile.
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
    slowRequests: { overMs: SLOW_MS, count: slow.length, ...perThread(set, slow) },
    fastRequests: { upToMs: FAST_MS, count: fast.length, ...perThread(set, fast) },
  };
}
