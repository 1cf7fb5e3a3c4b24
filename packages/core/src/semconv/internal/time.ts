const DIGITS = /^\d+$/;

/**
 * Epoch nanoseconds arrive as decimal text (a fixed64 can pass what a double holds exactly).
 * Up to 20 digits (any fixed64) the whole milliseconds, the text before its last six digits,
 * hold at most 14 digits, which a double holds exactly, so no BigInt is needed: parsing one
 * took about a twentieth of normalizing a span (docs/benchmarks.md, twenty-eighth session).
 */
const MAX_FIXED64_DIGITS = 20;

function millisPart(value: string): number {
  return value.length > 6 ? Number(value.slice(0, -6)) : 0;
}

function nanosPart(value: string): number {
  return Number(value.length > 6 ? value.slice(-6) : value);
}

/** Epoch nanoseconds (decimal text, too large for a double) to floored epoch milliseconds. */
export function nanosToMillis(value: string): number {
  return DIGITS.test(value) ? millisPart(value) : 0;
}

/** Below 2^53 nanoseconds (about 104 days) a duration is exact in a double. */
const MAX_EXACT_MILLIS = 9e9;

/** Duration with its sub-millisecond part, computed exactly before the one lossy step. */
export function durationMillis(start: string, end: string): number {
  const from = DIGITS.test(start) ? start : "0";
  const to = DIGITS.test(end) ? end : "0";
  const millis = millisPart(to) - millisPart(from);
  if (from.length <= MAX_FIXED64_DIGITS && to.length <= MAX_FIXED64_DIGITS && Math.abs(millis) < MAX_EXACT_MILLIS) {
    const nanos = millis * 1e6 + (nanosPart(to) - nanosPart(from));
    return nanos > 0 ? nanos / 1e6 : 0;
  }
  const nanos = BigInt(to) - BigInt(from);
  return nanos > 0n ? Number(nanos) / 1e6 : 0;
}
