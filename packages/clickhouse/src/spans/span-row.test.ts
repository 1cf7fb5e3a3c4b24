import { describe, expect, it } from "vitest";
import { toClickHouseTime, toFloat, toUInt } from "./span-row.js";

describe("column guards", () => {
  it("clamps times into DateTime64's range instead of writing ones the engine cannot hold", () => {
    expect(toClickHouseTime(Date.UTC(2026, 11, 7, 1, 2, 3, 456))).toBe("2026-12-07 01:02:03.456");
    // An exporter's maximal timestamp (2^64 - 1 ns), a negative one, and garbage.
    expect(toClickHouseTime(18_446_744_073_709)).toBe("2299-12-31 23:59:59.999");
    expect(toClickHouseTime(-1e13)).toBe("1900-01-01 00:00:00.000");
    expect(toClickHouseTime(Number.NaN)).toBe("1970-01-01 00:00:00.000");
    // Past what a JavaScript date holds: clamped rather than a RangeError that fails the job.
    expect(toClickHouseTime(1e17)).toBe("2299-12-31 23:59:59.999");
  });

  it("formats every time as its ISO text does, across days and before 1970, whatever day came before", () => {
    const iso = (ms: number) => new Date(ms).toISOString().replace("T", " ").replace("Z", "");
    const times = [
      Date.UTC(2026, 11, 7, 23, 59, 59, 999),
      Date.UTC(2026, 11, 8),
      Date.UTC(2026, 11, 7, 12, 0, 0, 1),
      Date.UTC(2024, 1, 29, 9, 8, 7, 6),
      -1,
      -86_400_001,
      Date.UTC(1969, 6, 20, 20, 17, 40, 123),
      Date.UTC(1900, 0, 1, 0, 0, 0, 1),
      1_796_654_137_123.9,
      -1.5,
    ];
    // Over again in the opposite order: the day formatted last must not leak into the next time.
    for (const ms of [...times, ...times.toReversed()]) expect(toClickHouseTime(ms)).toBe(iso(Math.trunc(ms)));
  });

  it("writes 0 for a UInt64 value the engine would refuse, and whole numbers otherwise", () => {
    expect([-1, Number.NaN, Number.POSITIVE_INFINITY, null, undefined].map(toUInt)).toEqual([0, 0, 0, 0, 0]);
    expect([0, 7, 2.5, 1e300].map(toUInt)).toEqual([0, 7, 3, Number.MAX_SAFE_INTEGER]);
  });

  it("writes 0 for a Float64 value JSON cannot carry", () => {
    expect([Number.NaN, Number.NEGATIVE_INFINITY, null, -0.5, 1e308].map(toFloat)).toEqual([0, 0, 0, -0.5, 1e308]);
  });
});
