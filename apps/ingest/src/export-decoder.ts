import { Piscina } from "piscina";
import {
  fromThreadResult,
  summarizeExport,
  type TExportSummary,
  type TSummarizeResult,
  type TSummarizeTask,
} from "./export-summary.js";

/** Exports from this decompressed size on are decoded on a thread (see {@link summarize}). */
export const THREAD_DECODE_BYTES = 1024 * 1024;

const registry = globalThis as typeof globalThis & { __spanlensIngestDecodePool?: Piscina };

/**
 * Decodes an export to validate and count it. Most exports are tens of kilobytes and decode
 * in well under a millisecond on the event loop. A large one takes it for long (a 9 MB export
 * ~100 ms) and every other request waits meanwhile, so from {@link THREAD_DECODE_BYTES} on
 * the decoding runs on a thread of its own. The body goes to it as a copy: the original is
 * still needed here for Redis. One thread, started on first use and stopped after a minute
 * idle.
 *
 * `compress` is honoured on the thread only: a large export sent uncompressed (every OTLP/gRPC
 * message, which grpc-js inflates, and OTLP/HTTP without Content-Encoding) is compressed there
 * for Redis. Redis runs one command at a time, and setting a 5 MB body held it ~70 ms against
 * ~8 ms for the same body compressed (1.85 MB), every other client waiting meanwhile; the
 * worker inflates it in ~21 ms. Below the thread's size, compressing would take the event loop.
 */
export async function summarize(task: TSummarizeTask): Promise<TExportSummary> {
  if (task.body.byteLength < THREAD_DECODE_BYTES) return summarizeExport(task);
  // Posting a view clones its whole backing buffer, which for a gRPC message can be a larger
  // frame's: the bytes are copied into a buffer of their own, and that is moved.
  const body = new Uint8Array(task.body);
  const result = (await decodePool().run({ ...task, body }, { transferList: [body.buffer] })) as TSummarizeResult;
  return fromThreadResult(result);
}

function decodePool(): Piscina {
  if (!registry.__spanlensIngestDecodePool) {
    // Run from TypeScript sources (development, tests) the thread loads the .ts entry
    // through tsx with the workspace's source condition; built code loads the .js file.
    const fromSource = import.meta.url.endsWith(".ts");
    registry.__spanlensIngestDecodePool = new Piscina({
      filename: new URL(fromSource ? "./summarize-thread.ts" : "./summarize-thread.js", import.meta.url).href,
      minThreads: 0,
      maxThreads: 1,
      idleTimeout: 60_000,
      ...(fromSource ? { execArgv: ["--conditions=@spanlens/source", "--import", "tsx"] } : {}),
    });
  }
  return registry.__spanlensIngestDecodePool;
}

/** On shutdown: stops the decoding thread, if one was started. */
export async function closeExportDecoder(): Promise<void> {
  const pool = registry.__spanlensIngestDecodePool;
  registry.__spanlensIngestDecodePool = undefined;
  await pool?.destroy();
}
