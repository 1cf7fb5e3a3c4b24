import { describe, expect, it } from "vitest";
import { durationMillis, nanosToMillis } from "./time.js";

/** The exact arithmetic, in BigInt, that the conversions must agree with. */
const toNanos = (value: string) => (/^\d+$/.test(value) ? BigInt(value) : 0n);
const exactMillis = (value: string) => Number(toNanos(value) / 1_000_000n);
const exactDuration = (start: string, end: string) => {
  const nanos = toNanos(end) - toNanos(start);
  return nanos > 0n ? Number(nanos) / 1e6 : 0;
};

describe("span times from epoch nanoseconds", () => {
  const edges = [
    "0",
    "1",
    "999999",
    "1000000",
    "1765000000123456789",
    "1765000000123999999",
    "18446744073709551615", // the largest fixed64
    "000001765000000123456789",
    "123456789012345678901234567890",
    "",
    "-5",
    "1.5e18",
    "12 34",
  ];

  it("floors to whole milliseconds as the exact arithmetic does, and reads what is not a count as 0", () => {
    for (const value of edges) expect(nanosToMillis(value), value).toBe(exactMillis(value));
    expect(nanosToMillis("1765000000123456789")).toBe(1_765_000_000_123);
  });

  it("keeps a duration's sub-millisecond part bit for bit, short or days long, and never negative", () => {
    const start = "1765000000123456789";
    const ends = ["1765000000123456789", "1765000000123456790", "1765000000124000000", "1765000001000000001"];
    // 104 days is where nanoseconds stop being exact in a double; both sides of it.
    ends.push((BigInt(start) + 2n ** 53n - 1n).toString(), (BigInt(start) + 2n ** 53n + 3n).toString());
    for (const end of [...ends, ...edges]) {
      expect(durationMillis(start, end), end).toBe(exactDuration(start, end));
      expect(durationMillis(end, start), end).toBe(exactDuration(end, start));
    }
    expect(durationMillis(start, "1765000000124000000")).toBe(0.543211);
    // Past a fixed64, milliseconds stop being exact in a double: 1.5 ms apart must not read 0.5.
    expect(durationMillis("10000000000000000000000000", "10000000000000000001500000")).toBe(1.5);
    let seed = 7;
    const random = () => {
      seed = (seed * 48_271) % 2_147_483_647;
      return BigInt(seed);
    };
    for (let index = 0; index < 2000; index += 1) {
      const from = 1_700_000_000_000_000_000n + random() * random();
      const to = from + random() * random() * (index % 2 === 0 ? 1n : 5000n);
      expect(durationMillis(from.toString(), to.toString())).toBe(exactDuration(from.toString(), to.toString()));
    }
  });
});
