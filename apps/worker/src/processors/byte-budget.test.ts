import { describe, expect, it } from "vitest";
import { createByteBudget, defaultIngestMaxBytes } from "./byte-budget.js";

/** A task that records when it starts and finishes when `finish()` is called. */
function gatedTask(name: string, started: string[]) {
  let finish: () => void = () => undefined;
  const done = new Promise<string>((resolve) => {
    finish = () => resolve(name);
  });
  return {
    run: () => {
      started.push(name);
      return done;
    },
    finish: () => finish(),
  };
}

const settled = () => new Promise((resolve) => setImmediate(resolve));

describe("createByteBudget", () => {
  it("starts tasks while their bytes fit and the rest in arrival order as bytes come back", async () => {
    const budget = createByteBudget(128 * 1024 * 1024);
    const started: string[] = [];
    const mib = 1024 * 1024;
    const a = gatedTask("a", started);
    const b = gatedTask("b", started);
    const c = gatedTask("c", started);
    const d = gatedTask("d", started);
    const runs = [
      budget.run(100 * mib, a.run),
      budget.run(20 * mib, b.run),
      budget.run(30 * mib, c.run),
      // d would fit beside a and b, but waits behind c: no overtaking.
      budget.run(1 * mib, d.run),
    ];
    await settled();
    expect(started).toEqual(["a", "b"]);
    expect(budget.inUse).toBe(120 * mib);

    b.finish();
    await settled();
    expect(started).toEqual(["a", "b"]);
    a.finish();
    await settled();
    expect(started).toEqual(["a", "b", "c", "d"]);
    expect(budget.inUse).toBe(31 * mib);

    c.finish();
    d.finish();
    expect(await Promise.all(runs)).toEqual(["a", "b", "c", "d"]);
    expect(budget.inUse).toBe(0);
  });

  it("runs a task larger than the whole budget alone", async () => {
    const budget = createByteBudget(100);
    const started: string[] = [];
    const small = gatedTask("small", started);
    const huge = gatedTask("huge", started);
    const after = gatedTask("after", started);
    const runs = [budget.run(10, small.run), budget.run(5_000, huge.run), budget.run(10, after.run)];
    await settled();
    expect(started).toEqual(["small"]);
    small.finish();
    await settled();
    expect(started).toEqual(["small", "huge"]);
    huge.finish();
    await settled();
    expect(started).toEqual(["small", "huge", "after"]);
    after.finish();
    await Promise.all(runs);
    expect(budget.inUse).toBe(0);
  });

  it("gives the bytes back when a task fails", async () => {
    const budget = createByteBudget(100);
    await expect(budget.run(80, () => Promise.reject(new Error("insert failed")))).rejects.toThrow("insert failed");
    expect(budget.inUse).toBe(0);
    await expect(budget.run(80, async () => "next")).resolves.toBe("next");
  });
});

describe("defaultIngestMaxBytes", () => {
  const MiB = 1024 * 1024;

  it("is 128 MiB on a heap of 1 GiB or more", () => {
    expect(defaultIngestMaxBytes(4288 * MiB)).toBe(128 * MiB);
    expect(defaultIngestMaxBytes(1024 * MiB)).toBe(128 * MiB);
  });

  it("is an eighth of a smaller heap limit", () => {
    expect(defaultIngestMaxBytes(960 * MiB)).toBe(120 * MiB);
    expect(defaultIngestMaxBytes(448 * MiB)).toBe(56 * MiB);
  });
});
