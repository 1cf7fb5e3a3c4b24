import { Piscina } from "piscina";
import { encodeIngestJob, type TEncodedIngestJob, type TEncodeTask } from "./encode-ingest-job.js";

export type { TEncodedIngestJob, TEncodeTask } from "./encode-ingest-job.js";

export interface TIngestEncoder {
  encode(task: TEncodeTask): Promise<TEncodedIngestJob>;
  close(): Promise<void>;
}

/**
 * Where queued requests are turned into rows. With `threads` > 0, decompression, protobuf
 * decoding, normalization and row encoding run in worker threads, leaving the event loop
 * to BullMQ, Redis and the ClickHouse inserts (and, in all-in-one mode, to the OTLP
 * receiver and the web app). A task crosses threads as the body's bytes in (one copy,
 * then moved) and encoded row bytes out (one copy). With 0 it runs inline.
 */
export function createIngestEncoder(options: { threads: number }): TIngestEncoder {
  if (options.threads <= 0) return { encode: encodeIngestJob, close: async () => undefined };
  // Run from TypeScript sources (development, tests) the thread loads the .ts entry
  // through tsx with the workspace's source condition; built code loads the .js file.
  const fromSource = import.meta.url.endsWith(".ts");
  const pool = new Piscina({
    filename: new URL(fromSource ? "./encode-thread.ts" : "./encode-thread.js", import.meta.url).href,
    minThreads: options.threads,
    maxThreads: options.threads,
    ...(fromSource ? { execArgv: ["--conditions=@spanlens/source", "--import", "tsx"] } : {}),
  });
  return {
    encode: (task) => {
      // Posting a view clones its whole backing ArrayBuffer, and a body read from Redis is a
      // slice of the client's socket or pooled reply buffer, many times its size. Copy the
      // body into a buffer of its own and move that to the thread instead.
      const body = new Uint8Array(task.body);
      return pool.run({ ...task, body }, { transferList: [body.buffer] }) as Promise<TEncodedIngestJob>;
    },
    close: () => pool.destroy(),
  };
}
