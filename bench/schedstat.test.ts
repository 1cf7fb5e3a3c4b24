import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { schedSummary, startSchedSampler } from "./schedstat.js";

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
    // Per request over both: at least the spin, halved.
    expect(summary?.perRequest.spinner?.onCpuMicros).toBeGreaterThan((spinCpuMs * 1000) / 2 - 45_000);
    expect(summary?.perRequest.spinner?.timeslices).toBeGreaterThan(0);
  });

  it("has nothing to say without requests or samples", () => {
    const samples = startSchedSampler({ self: process.pid }).stop();
    expect(schedSummary(samples, { startsMs: [], latenciesMs: [] })).toBeNull();
    const oneSample = { ...samples, samples: samples.samples.slice(0, 1) };
    expect(schedSummary(oneSample, { startsMs: [Date.now()], latenciesMs: [1] })).toBeNull();
  });
});
