/** Small helpers the benchmarks share. */
import { writeFile } from "node:fs/promises";

export const round = (value: number, digits = 1) => Number(value.toFixed(digits));

/** Nearest-rank percentile (NaN for no values). */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

/** A number of zero or more from the environment, or `fallback` when unset, empty or not one. */
export const envNumber = (name: string, fallback: number): number => {
  const value = Number(process.env[name]);
  return Number.isFinite(value) && value >= 0 && process.env[name] !== "" && process.env[name] !== undefined
    ? value
    : fallback;
};

/** The middle value, or the mean of the two middle ones (NaN for no values). */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? Number.NaN)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

/**
 * Prints a benchmark's JSON summary, and writes it to BENCH_OUTPUT when set: logs share stdout,
 * so the file keeps the summary on its own.
 */
export async function emitResult(result: unknown): Promise<void> {
  const text = JSON.stringify(result, null, 2);
  if (process.env.BENCH_OUTPUT) await writeFile(process.env.BENCH_OUTPUT, `${text}\n`);
  console.log(text);
}
