import { describe, expect, it } from "vitest";
import { WORKER_HEAP_BOUND_MIB, workerHeapBoundMiB, workerNodeFlags } from "./node-flags.js";

const MiB = 2 ** 20;

describe("workerHeapBoundMiB", () => {
  it("bounds the heap at 768 MiB without a memory limit or under a large one", () => {
    expect(workerHeapBoundMiB(undefined)).toBe(768);
    expect(workerHeapBoundMiB(4096 * MiB)).toBe(768);
    expect(workerHeapBoundMiB(1280 * MiB)).toBe(768);
  });

  it("takes 60% of a container's limit when that is less", () => {
    expect(workerHeapBoundMiB(1024 * MiB)).toBe(614);
    expect(workerHeapBoundMiB(512 * MiB)).toBe(307);
    expect(workerHeapBoundMiB(1000 * 1000 * 1000)).toBe(572);
  });

  it("never goes below 64 MiB", () => {
    expect(workerHeapBoundMiB(50 * MiB)).toBe(64);
  });
});

describe("workerNodeFlags", () => {
  it("sets the bound and the heap growing factor", () => {
    expect(workerNodeFlags({ nodeOptions: undefined, limitBytes: 512 * MiB })).toEqual([
      "--max-old-space-size=307",
      "--heap-growing-percent=300",
    ]);
    expect(workerNodeFlags({ nodeOptions: "--enable-source-maps", limitBytes: undefined })).toEqual([
      `--max-old-space-size=${WORKER_HEAP_BOUND_MIB}`,
      "--heap-growing-percent=300",
    ]);
  });

  it("leaves a bound set in NODE_OPTIONS to the operator", () => {
    for (const nodeOptions of [
      "--max-old-space-size=2048",
      "--enable-source-maps --max_old_space_size=300",
      "--max-old-space-size-percentage=50",
    ]) {
      expect(workerNodeFlags({ nodeOptions, limitBytes: 512 * MiB })).toEqual(["--heap-growing-percent=300"]);
    }
  });
});
