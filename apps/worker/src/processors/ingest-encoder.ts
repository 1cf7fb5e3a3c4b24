import { Piscina } from "piscina";
import { encodeIngestJob, type TEncodedIngestJob, type TEncodeTask } from "./encode-ingest-job.js";

export type { TEncodedIngestJob, TEncodeTask } from "./encode-ingest-job.js";

export interface TIngestEncoder {
  encode(task: TEncodeTask): Promise<TEncodedIngestJob>;
  close(): Promise<void>;
}

/** How a slice's encoding that ran past the time limit is named: see {@link EncodeTimeoutError}. */
export const ENCODE_TIMEOUT_PREFIX = "encoding a slice of this export took longer than";

/**
 * A slice whose encoding ran past the encoder's time limit, in a thread that was then stopped
 * (and replaced). A slice is at most 5,000 records or ~10 MB and takes well under a second, so
 * one still running at the limit is stuck on its payload, or starved of CPU for that long.
 */
export class EncodeTimeoutError extends Error {
  override readonly name = "EncodeTimeoutError";
  constructor(readonly timeoutMs: number) {
    super(`${ENCODE_TIMEOUT_PREFIX} ${timeoutMs} ms, so its thread was stopped`);
  }
}

/**
 * Where queued requests are turned into rows. With `threads` > 0, decompression, protobuf
 * decoding, normalization and row encoding run in worker threads, leaving the event loop
 * to BullMQ, Redis and the ClickHouse inserts (and, in all-in-one mode, to the OTLP
 * receiver and the web app). A task crosses threads as the body's bytes in (one copy,
 * then moved) and encoded row bytes out (one copy). With 0 it runs inline.
 *
 * A threaded task still running after `timeoutMs` has its thread stopped and fails with
 * {@link EncodeTimeoutError}. Without the limit, a payload the decoder or normalizer never
 * finishes would hold its thread, and its job's lock (which the event loop keeps renewing),
 * for good: with the one thread of the all-in-one process, no other export would be stored.
 * Inline encoding cannot be stopped this way; the worker process's watchdog covers it
 * (see `startEventLoopWatchdog`).
 */
export function createIngestEncoder(options: { threads: number; timeoutMs?: number }): TIngestEncoder {
  if (options.threads <= 0) return { encode: encodeIngestJob, close: async () => undefined };
  const { threads, timeoutMs = 30_000 } = options;
  // Run from TypeScript sources (development, tests) the thread loads the .ts entry
  // through tsx with the workspace's source condition; built code loads the .js file.
  const fromSource = import.meta.url.endsWith(".ts");
  const pool = new Piscina({
    filename: new URL(fromSource ? "./encode-thread.ts" : "./encode-thread.js", import.meta.url).href,
    minThreads: threads,
    maxThreads: threads,
    ...(fromSource ? { execArgv: ["--conditions=@spanlens/source", "--import", "tsx"] } : {}),
  });
  return {
    encode: async (task) => {
      // Posting a view clones its whole backing ArrayBuffer, and a body read from Redis is a
      // slice of the client's socket or pooled reply buffer, many times its size. Copy the
      // body into a buffer of its own and move that to the thread instead.
      const body = new Uint8Array(task.body);
      // The pool queues what its threads cannot take yet, and with hundreds of jobs in flight
      // a limit counted from here would count the wait: the thread flags when it starts the
      // task (shared memory, not a message), and the clock starts then.
      const started = new Int32Array(new SharedArrayBuffer(4));
      const controller = new AbortController();
      let timer: NodeJS.Timeout | undefined;
      let ended = false;
      const wait = Atomics.waitAsync(started, 0, 0);
      // The start may be seen after the result (two messages from the thread, in no set order).
      void (wait.async ? wait.value : Promise.resolve()).then(() => {
        if (!ended) timer = setTimeout(() => controller.abort(), timeoutMs);
      });
      try {
        const run = pool.run({ ...task, body, started }, { transferList: [body.buffer], signal: controller.signal });
        return (await run) as TEncodedIngestJob;
      } catch (error) {
        throw controller.signal.aborted ? new EncodeTimeoutError(timeoutMs) : error;
      } finally {
        ended = true;
        clearTimeout(timer);
        // Releases the wait of a task that ended without starting (the pool closed).
        Atomics.notify(started, 0);
      }
    },
    close: () => pool.destroy(),
  };
}
