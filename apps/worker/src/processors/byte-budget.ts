/**
 * A FIFO budget of bytes: `run(bytes, task)` starts the task once `bytes` fit beside what
 * running tasks hold, and gives them back when it settles. A task asking for more than
 * the whole budget runs alone. Waiters start in arrival order, so a large request is not
 * overtaken forever by small ones.
 *
 * Written here because the weighted semaphores on npm suit small counts: async-mutex's,
 * the common one, walks every unit of capacity on each release, which at 128 MiB of
 * capacity stalls the event loop for good (measured in the ingest benchmark).
 */
export interface TByteBudget {
  run<T>(bytes: number, task: () => Promise<T>): Promise<T>;
  /** Bytes held by running tasks. */
  readonly inUse: number;
}

/**
 * The default byte budget for requests in flight: 128 MiB, or an eighth of the process's
 * JavaScript heap limit when that is smaller. A heap too small for what the budget admits
 * spends its time collecting: in the ingest benchmark, 1 MB requests under a 128 MiB budget
 * cost a worker with a 256 MiB heap (448 MiB limit) 2.3 times the CPU per span of one with
 * no bound, and 1.1 times under a 48 MiB budget; with the worker image's 768 MiB heap
 * (960 MiB limit) 128 MiB cost nothing extra (docs/benchmarks.md, runs 28 and 29).
 */
export function defaultIngestMaxBytes(heapSizeLimit: number): number {
  return Math.min(128 * 1024 * 1024, Math.floor(heapSizeLimit / 8));
}

export function createByteBudget(maxBytes: number): TByteBudget {
  let inUse = 0;
  const waiting: { bytes: number; start: () => void }[] = [];

  const fits = (bytes: number) => inUse === 0 || inUse + bytes <= maxBytes;
  const release = (bytes: number) => {
    inUse -= bytes;
    for (let next = waiting[0]; next && fits(next.bytes); next = waiting[0]) {
      waiting.shift();
      inUse += next.bytes;
      next.start();
    }
  };

  return {
    async run(bytes, task) {
      const held = Math.min(Math.max(0, bytes), maxBytes);
      if (waiting.length === 0 && fits(held)) inUse += held;
      else await new Promise<void>((start) => waiting.push({ bytes: held, start }));
      try {
        return await task();
      } finally {
        release(held);
      }
    },
    get inUse() {
      return inUse;
    },
  };
}
