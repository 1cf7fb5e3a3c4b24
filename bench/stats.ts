/** Small numeric helpers the benchmarks share. */

export const round = (value: number, digits = 1) => Number(value.toFixed(digits));

/** Nearest-rank percentile (NaN for no values). */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}
