import { z } from "zod";

/**
 * `WORKER_SHUTDOWN_TIMEOUT_MS`: how long a stopping worker, or the all-in-one process that
 * hosts one, waits for its active jobs before it exits anyway (default 25 s, inside the 30 s
 * an orchestrator usually allows). See {@link exitIfStopOutlasts}.
 */
export const ZShutdownTimeoutMs = z.coerce.number().int().positive().default(25_000);

/**
 * Bounds a process's graceful stop: once `timeoutMs` has passed, `onExpire` runs (to log why)
 * and the process exits with code 1, whatever is still closing. A stop can otherwise last
 * forever: a job waiting on an insert that never returns, or the queue's connections to a
 * Redis that is gone, which retry their commands until Redis is back. The jobs a stopped
 * worker still held stay in Redis and go to another worker once their locks expire. The timer
 * does not keep the process alive by itself.
 */
export function exitIfStopOutlasts(timeoutMs: number, onExpire: () => void): void {
  setTimeout(() => {
    onExpire();
    process.exit(1);
  }, timeoutMs).unref();
}
