/** What the explorer benchmarks share: timing a query, the machine and load they ran on, numeric knobs. */
import { cpus, loadavg, totalmem } from "node:os";
import { percentile, round } from "./stats.js";

/**
 * Times one query the way the explorer benchmarks report it: three warm-up calls, then
 * `iterations` timed calls (the iteration number lets a query vary its window or id), and
 * the rows the last call returned (an array, a `{ data }` page or a `{ spans }` trace).
 */
export async function timeQuery(
  label: string,
  iterations: number,
  run: (iteration: number) => Promise<unknown>,
  log: (message: string) => void,
) {
  for (let warm = 0; warm < 3; warm += 1) await run(warm);
  const samples: number[] = [];
  let rows = 0;
  for (let iteration = 0; iteration < iterations; iteration += 1) {
    const started = performance.now();
    const result = await run(iteration);
    samples.push(performance.now() - started);
    if (Array.isArray(result)) rows = result.length;
    else if (result && typeof result === "object" && "data" in result)
      rows = (result as { data: unknown[] }).data.length;
    else if (result && typeof result === "object" && "spans" in result)
      rows = (result as { spans: unknown[] }).spans.length;
  }
  const summary = {
    p50: round(percentile(samples, 50)),
    p95: round(percentile(samples, 95)),
    max: round(Math.max(...samples)),
    rows,
  };
  log(`  ${label}: p50 ${summary.p50} ms, p95 ${summary.p95} ms (${rows} rows)`);
  return summary;
}

/** The machine a run measured, as the explorer benchmarks record it. */
export const describeMachine = () => ({
  cpus: cpus().length,
  cpuModel: cpus()[0]?.model,
  memoryGiB: round(totalmem() / 2 ** 30),
  node: process.version,
});

/** The load averages before a stage (taken with `loadavg()`) and now, to two decimals. */
export const loadAverageSince = (before: number[]) => ({
  before: before.map((value) => round(value, 2)),
  after: loadavg().map((value) => round(value, 2)),
});

/** A positive number from the environment, or `fallback` when unset or not one. */
export const envNumber = (name: string, fallback: number): number => {
  const value = Number(process.env[name]);
  return Number.isFinite(value) && value > 0 ? value : fallback;
};
