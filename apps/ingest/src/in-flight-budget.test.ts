import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createInFlightBudget } from "./in-flight-budget.js";

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

const FULL = "The receiver holds 1 MiB of other exports, its limit (INGEST_MAX_BYTES_IN_FLIGHT): retry after the delay";

describe("createInFlightBudget", () => {
  it("admits requests up to the budget and lets the next wait, in arrival order, for room", async () => {
    const budget = createInFlightBudget(100, 5_000);
    const first = await budget.reserve(60);
    const second = await budget.reserve(40);
    const admitted: string[] = [];
    const third = budget.reserve(50).then((reservation) => {
      admitted.push("third");
      return reservation;
    });
    // Smaller, but behind the third: it does not overtake.
    const fourth = budget.reserve(10).then((reservation) => {
      admitted.push("fourth");
      return reservation;
    });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(admitted).toEqual([]);
    expect(budget.waiting).toBe(2);

    first.release();
    await vi.advanceTimersByTimeAsync(0);
    expect(admitted).toEqual(["third", "fourth"]);
    expect(budget.bytesInFlight).toBe(100);
    for (const reservation of [second, await third, await fourth]) reservation.release();
    expect(budget.bytesInFlight).toBe(0);
  });

  it("answers 503 naming the setting to a request that waited too long, and lets the next one in", async () => {
    const budget = createInFlightBudget(100, 2_000);
    const held = await budget.reserve(90);
    const large = budget.reserve(50);
    const refusal = large.catch((error: unknown) => error);
    const small = budget.reserve(10);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(await refusal).toMatchObject({ code: "UNAVAILABLE", message: FULL });
    // The small one waited behind the large one only: it fits once that gave up.
    (await small).release();
    held.release();
    expect(budget.bytesInFlight).toBe(0);
  });

  it("always admits a request alone, however large, so none is refused for good", async () => {
    const budget = createInFlightBudget(100, 1_000);
    const large = await budget.reserve(500);
    large.resize(2_000);
    expect(budget.bytesInFlight).toBe(2_000);
    large.release();
    expect(budget.bytesInFlight).toBe(0);
  });

  it("grows a reservation to the decompressed size, refusing it if that passes the budget, and releases once", async () => {
    const budget = createInFlightBudget(100, 1_000);
    const other = await budget.reserve(30);
    const gzipped = await budget.reserve(10);
    expect(() => gzipped.resize(80)).toThrow(/INGEST_MAX_BYTES_IN_FLIGHT/);
    // A refused resize keeps what the request held; releasing it frees that, once.
    expect(budget.bytesInFlight).toBe(40);
    gzipped.release();
    gzipped.release();
    expect(budget.bytesInFlight).toBe(30);
    other.release();
  });

  it("gives room first to the waiting export of the project holding least, in arrival order within a project", async () => {
    const budget = createInFlightBudget(100, 5_000);
    const admitted: string[] = [];
    const reserve = (name: string, bytes: number, projectId: string) =>
      budget.reserve(bytes, projectId).then((reservation) => {
        admitted.push(name);
        return reservation;
      });
    // A backfill holds 90 and waits with 50 more; a quiet project's 10 fits and goes ahead of it.
    const backfill = await reserve("backfill 1", 90, "backfill");
    const backfillNext = reserve("backfill 2", 50, "backfill");
    const quiet = reserve("quiet 1", 10, "quiet");
    await vi.advanceTimersByTimeAsync(0);
    expect(admitted).toEqual(["backfill 1", "quiet 1"]);
    // Once full, the quiet project's next waits too, and is still served before the backfill's.
    const quietNext = reserve("quiet 2", 30, "quiet");
    const backfillLast = reserve("backfill 3", 5, "backfill");
    backfill.release();
    await vi.advanceTimersByTimeAsync(0);
    // Holding 10 against the backfill's 0, the quiet one waits: the backfill's oldest goes first,
    // then the quiet one (10 against 50), then the backfill's smaller last one fits beside them.
    expect(admitted).toEqual(["backfill 1", "quiet 1", "backfill 2", "quiet 2", "backfill 3"]);
    for (const reservation of await Promise.all([backfillNext, quiet, quietNext, backfillLast])) reservation.release();
    expect(budget.bytesInFlight).toBe(0);
  });

  it("lets no export overtake the one chosen next while it does not fit, so a large one is not starved", async () => {
    const budget = createInFlightBudget(100, 5_000);
    const admitted: string[] = [];
    const held = await budget.reserve(60, "a");
    const large = budget.reserve(80, "b").then((reservation) => {
      admitted.push("large");
      return reservation;
    });
    // Project c holds nothing either, but came later: the large export of b is chosen, and waits.
    const small = budget.reserve(10, "c").then((reservation) => {
      admitted.push("small");
      return reservation;
    });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(admitted).toEqual([]);
    held.release();
    await vi.advanceTimersByTimeAsync(0);
    expect(admitted).toEqual(["large", "small"]);
    (await large).release();
    (await small).release();
    expect(budget.bytesInFlight).toBe(0);
  });
});
