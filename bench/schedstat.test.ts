import { execFileSync, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { processesNamed, schedSummary, startSchedSampler } from "./schedstat.js";

/**
 * A process that idles 300 ms, spins until it has had 150 ms of CPU, idles 300 ms more and
 * prints when it spun (epoch ms) and the CPU it used meanwhile (ms), so a loaded machine that
 * takes the core away mid-spin changes the window, not the test.
 */
function spinningChild() {
  const script = `
    setTimeout(() => {
      const spinStart = Date.now();
      const cpu = process.cpuUsage();
      const used = () => { const { user, system } = process.cpuUsage(cpu); return (user + system) / 1000; };
      while (used() < 150);
      const spinEnd = Date.now();
      const spinCpuMs = used();
      setTimeout(() => console.log(JSON.stringify({ spinStart, spinEnd, spinCpuMs })), 300);
    }, 300);`;
  const child = spawn(process.execPath, ["-e", script], { stdio: ["ignore", "pipe", "inherit"] });
  const output = new Promise<{ spinStart: number; spinEnd: number; spinCpuMs: number }>((resolve, reject) => {
    let text = "";
    child.stdout.on("data", (chunk: Buffer) => {
      text += chunk.toString();
    });
    child.on("exit", (code) => (code === 0 ? resolve(JSON.parse(text)) : reject(new Error(`child exited ${code}`))));
  });
  return { pid: child.pid as number, output };
}

/**
 * A child process that starts a worker thread after `startAfterMs`; the thread idles
 * `spinAfterMs`, spins until it has had 150 ms of its own CPU and ends. The process prints
 * that CPU (ms) and when it printed (epoch ms) 300 ms later, then exits.
 */
function workerSpinner({ startAfterMs = 0, spinAfterMs = 0 }) {
  const script = `
    const { Worker } = require("node:worker_threads");
    setTimeout(() => {
      const worker = new Worker(\`setTimeout(() => {
        const start = process.threadCpuUsage();
        const used = () => { const { user, system } = process.threadCpuUsage(start); return (user + system) / 1000; };
        while (used() < 150);
        require("node:worker_threads").parentPort.postMessage(used());
      }, ${spinAfterMs});\`, { eval: true });
      worker.on("message", (spinCpuMs) => worker.terminate().then(() =>
        setTimeout(() => console.log(JSON.stringify({ spinCpuMs, end: Date.now() })), 300)));
    }, ${startAfterMs});`;
  const child = spawn(process.execPath, ["-e", script], { stdio: ["ignore", "pipe", "inherit"] });
  // Resolves on the child's line, before it exits (its /proc/<pid>/stat goes with it).
  const output = new Promise<{ spinCpuMs: number; end: number }>((resolve) => {
    let text = "";
    child.stdout.on("data", (chunk: Buffer) => {
      text += chunk.toString();
      if (text.includes("\n")) resolve(JSON.parse(text));
    });
  });
  const exited = new Promise((resolve) => child.on("exit", resolve));
  return { pid: child.pid as number, output, exited };
}

describe.runIf(existsSync("/proc/self/schedstat"))("schedstat sampler", () => {
  it("puts a thread's time on a CPU against the requests in flight while it ran, and not the others", async () => {
    const child = spinningChild();
    const sampler = startSchedSampler({ spinner: child.pid });
    const { spinStart, spinEnd, spinCpuMs } = await child.output;
    const samples = sampler.stop();
    // One slow request while the child spun; one fast one while it slept.
    const idleStart = spinEnd + 100;
    const summary = schedSummary(samples, { startsMs: [spinStart, idleStart], latenciesMs: [spinEnd - spinStart, 15] });

    expect(summary?.slowRequests.count).toBe(1);
    expect(summary?.fastRequests.count).toBe(1);
    // Milliseconds on a CPU that the sampler saw while each request was in flight.
    const onCpuMs = (threads: { thread: string; onCpuPerMs: number }[] = [], inFlightMs = 0) =>
      threads.filter((row) => row.thread.startsWith("spinner:")).reduce((sum, row) => sum + row.onCpuPerMs, 0) *
      inFlightMs;
    // Sampled every 20 ms: each edge of the window may shift what it sees by up to a sample.
    expect(onCpuMs(summary?.slowRequests.threads, spinEnd - spinStart)).toBeGreaterThan(spinCpuMs - 45);
    expect(onCpuMs(summary?.slowRequests.threads, spinEnd - spinStart)).toBeLessThan(spinCpuMs + 45);
    expect(onCpuMs(summary?.fastRequests.threads, 15)).toBeLessThan(5);
    // The whole machine was at least as busy as the spinner while it spun, and the sampled
    // threads' share is the spinner's. /proc/stat counts 10 ms ticks per core: a tolerance of one
    // tick per core at each edge of the window.
    const machine = summary?.slowRequests.machine;
    const spinnerCores = onCpuMs(summary?.slowRequests.threads, spinEnd - spinStart) / (spinEnd - spinStart);
    const tolerance = (2 * 10 * availableParallelism()) / (spinEnd - spinStart);
    expect(machine?.sampled).toBeCloseTo(spinnerCores, 1);
    expect(machine?.busy).toBeGreaterThan(spinnerCores - tolerance);
    expect(machine?.busy).toBeLessThan(availableParallelism() + tolerance);
    expect(machine?.outsideSampled).toBeCloseTo((machine?.busy ?? 0) - (machine?.sampled ?? 0), 2);
    // Every thread that spun was listed: the process's own total is its threads' sum, to a tick.
    const spinner = summary?.slowRequests.processes.spinner;
    expect(spinner?.sampled).toBeCloseTo(machine?.sampled ?? Number.NaN, 2);
    expect(Math.abs(spinner?.unlisted ?? Number.NaN)).toBeLessThan(tolerance);
    for (const kind of ["user", "system", "interrupts", "steal", "idle"] as const) {
      expect(machine?.[kind]).toBeGreaterThanOrEqual(0);
    }
    // Per request over both: at least the spin, halved.
    expect(summary?.perRequest.spinner?.onCpuMicros).toBeGreaterThan((spinCpuMs * 1000) / 2 - 45_000);
    expect(summary?.perRequest.spinner?.timeslices).toBeGreaterThan(0);
  });

  it("keeps the time of a thread that has ended in its pool's sum", async () => {
    // A worker thread that idles 700 ms (so the sampler lists it), spins 150 ms of its own CPU
    // and ends; the process lives 300 ms longer.
    const start = Date.now();
    const child = workerSpinner({ spinAfterMs: 700 });
    // Its pid as a list read at each listing, as the kernel's threads are given.
    const sampler = startSchedSampler({ spinner: () => [child.pid] });
    await child.exited;
    const samples = sampler.stop();
    const { spinCpuMs, end } = await child.output;

    const summary = schedSummary(samples, { startsMs: [start], latenciesMs: [end - start] });
    const workerCpuMs =
      (summary?.slowRequests.threads.find((row) => row.thread === "spinner:WorkerThread")?.onCpuPerMs ?? 0) *
      (end - start);
    // At least the spin (the thread's start-up adds to it), however long ago the thread ended.
    expect(workerCpuMs).toBeGreaterThan(spinCpuMs - 45);
  });

  it("counts the CPU of threads that were never listed against their process", async () => {
    // Listed once, at the start: the worker thread, started 300 ms in, is never seen on its own.
    const start = Date.now();
    const child = workerSpinner({ startAfterMs: 300 });
    const sampler = startSchedSampler({ spinner: child.pid }, { listEvery: Number.POSITIVE_INFINITY });
    // Read before the process ends: its /proc/<pid>/stat goes with it.
    const { spinCpuMs, end } = await child.output;
    const samples = sampler.stop();
    await child.exited;

    const summary = schedSummary(samples, { startsMs: [start], latenciesMs: [end - start] });
    const spinner = summary?.slowRequests.processes.spinner;
    expect(summary?.slowRequests.threads.some((row) => row.thread === "spinner:WorkerThread")).toBe(false);
    // At least the spin, in 10 ms ticks: a tick at each edge of the window.
    const unlistedMs = (spinner?.unlisted ?? 0) * (end - start);
    expect(unlistedMs).toBeGreaterThan(spinCpuMs - 20);
    expect(spinner?.process).toBeCloseTo((spinner?.sampled ?? 0) + (spinner?.unlisted ?? 0), 2);
  });

  it("counts the processes started anywhere on the machine while a request was in flight", async () => {
    const sampler = startSchedSampler({ self: process.pid });
    await sleep(50);
    const start = Date.now();
    for (let index = 0; index < 5; index += 1) execFileSync("true");
    // A sample after the last one started, inside the window.
    await sleep(60);
    const end = Date.now();
    const summary = schedSummary(sampler.stop(), { startsMs: [start], latenciesMs: [end - start] });
    const started = ((summary?.slowRequests.machine.forksPerSecond ?? 0) * (end - start)) / 1000;
    expect(started).toBeGreaterThanOrEqual(4.9);
  });

  it("finds processes by their command name", () => {
    const name = readFileSync(`/proc/${process.pid}/comm`, "utf8").trim();
    expect(processesNamed(name)).toContain(process.pid);
    expect(processesNamed(`${name}-none`)).toEqual([]);
  });

  it("has nothing to say without requests or samples", () => {
    const samples = startSchedSampler({ self: process.pid }).stop();
    expect(schedSummary(samples, { startsMs: [], latenciesMs: [] })).toBeNull();
    const oneSample = { ...samples, samples: samples.samples.slice(0, 1) };
    expect(schedSummary(oneSample, { startsMs: [Date.now()], latenciesMs: [1] })).toBeNull();
  });
});
