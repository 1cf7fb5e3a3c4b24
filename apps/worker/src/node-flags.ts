import os from "node:os";

/**
 * The worker's heap bound where memory is plentiful. Without one Node sizes the heap from
 * the host's RAM (up to 4 GB) and collects rarely: in the ingest benchmark the worker's RSS
 * reached ~600 MiB (once 1,035); under 768 MiB it stayed near 400 and 1 MB requests still
 * ran at full speed (docs/benchmarks.md, runs 28–31).
 */
export const WORKER_HEAP_BOUND_MIB = 768;

/**
 * The share of a container's memory limit the heap may take. The rest holds what lives
 * outside it: encoded rows and request bodies (up to an eighth of the heap limit, see
 * `defaultIngestMaxBytes`), compiled code, and the decoding and network buffers. In a
 * 512 MiB memory cgroup, on requests of ~1 MB, the worker used at most 495 MiB with this
 * share and was killed at the limit within 80 s with the fixed bound (docs/benchmarks.md).
 */
const WORKER_HEAP_SHARE_OF_LIMIT = 0.6;

/**
 * Under a bound V8 picks a low heap growing factor and collects often (the heap was under
 * twice its live size at each full collection); the factor of large heaps, four, took back
 * the CPU the bound cost while RSS stayed near 400 MiB (docs/benchmarks.md, run 30).
 * `NODE_OPTIONS` does not accept this V8 flag, so it goes on the command line.
 */
const HEAP_GROWING_FLAG = "--heap-growing-percent=300";

/**
 * The memory limit this process runs under (a cgroup's, as in a container), or undefined
 * when there is none: an unlimited cgroup reports a huge number or 0.
 */
function memoryLimitBytes(): number | undefined {
  const constrained = process.constrainedMemory();
  return constrained > 0 && constrained < os.totalmem() ? constrained : undefined;
}

/** 768 MiB, or 60% of the memory limit when that is less. */
export function workerHeapBoundMiB(limitBytes: number | undefined): number {
  if (limitBytes === undefined) return WORKER_HEAP_BOUND_MIB;
  const share = Math.floor((limitBytes * WORKER_HEAP_SHARE_OF_LIMIT) / 2 ** 20);
  return Math.max(64, Math.min(WORKER_HEAP_BOUND_MIB, share));
}

/**
 * The Node flags the worker starts with (apps/worker/bin/start.sh), by default for this
 * process's `NODE_OPTIONS` and memory limit. A heap bound the operator set in
 * `NODE_OPTIONS` wins: the command line would otherwise override it.
 */
export function workerNodeFlags(
  options: { nodeOptions: string | undefined; limitBytes: number | undefined } = {
    nodeOptions: process.env.NODE_OPTIONS,
    limitBytes: memoryLimitBytes(),
  },
): string[] {
  const boundSet = /(^|\s)--max[-_]old[-_]space[-_]size/.test(options.nodeOptions ?? "");
  return boundSet
    ? [HEAP_GROWING_FLAG]
    : [`--max-old-space-size=${workerHeapBoundMiB(options.limitBytes)}`, HEAP_GROWING_FLAG];
}
