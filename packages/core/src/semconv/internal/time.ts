const NANOS_PER_MILLI = 1_000_000n;

function toNanos(value: string): bigint {
  return /^\d+$/.test(value) ? BigInt(value) : 0n;
}

/** Epoch nanoseconds (decimal text, too large for a double) to floored epoch milliseconds. */
export function nanosToMillis(value: string): number {
  return Number(toNanos(value) / NANOS_PER_MILLI);
}

/** Duration with its sub-millisecond part, computed in BigInt before the one lossy step. */
export function durationMillis(start: string, end: string): number {
  const nanos = toNanos(end) - toNanos(start);
  return nanos > 0n ? Number(nanos) / 1e6 : 0;
}
