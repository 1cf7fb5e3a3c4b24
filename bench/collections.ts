/**
 * The garbage collector's passes in this process, as Node reports them (`gc` performance
 * entries), for benchmarks that count what a loop cost in collections. Entries arrive a turn
 * or so after each pass: `settle` before reading a window that just ended.
 */
import { constants, type PerformanceEntry, PerformanceObserver } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";

type TKind = "minor" | "major" | "other";

/** Passes of each kind and their pauses (ms): young-generation passes (scavenges), full collections, the rest. */
export type TCollections = Record<TKind, { count: number; ms: number }>;

export interface TCollectionRecorder {
  /** The passes that started within [from, to), times from `performance.now()`. */
  between(from: number, to: number): TCollections;
}

/** Starts recording every pass from now on. */
export function recordCollections(): TCollectionRecorder {
  const passes: { start: number; kind: TKind; ms: number }[] = [];
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const { kind } = (entry as PerformanceEntry & { detail: { kind: number } }).detail;
      passes.push({
        start: entry.startTime,
        kind:
          kind === constants.NODE_PERFORMANCE_GC_MINOR
            ? "minor"
            : kind === constants.NODE_PERFORMANCE_GC_MAJOR
              ? "major"
              : "other",
        ms: entry.duration,
      });
    }
  }).observe({ entryTypes: ["gc"] });
  return {
    between(from, to) {
      const sums: TCollections = { minor: { count: 0, ms: 0 }, major: { count: 0, ms: 0 }, other: { count: 0, ms: 0 } };
      for (const pass of passes) {
        if (pass.start < from || pass.start >= to) continue;
        sums[pass.kind].count += 1;
        sums[pass.kind].ms += pass.ms;
      }
      return sums;
    },
  };
}

/** Waits for the entries of passes that already ran to be reported. */
export function settle(): Promise<void> {
  return sleep(50);
}
