import { promisify } from "node:util";
import {
  gunzip,
  gunzipSync,
  inflate,
  inflateSync,
  type ZlibOptions,
  constants as zlibConstants,
  zstdDecompress,
  zstdDecompressSync,
} from "node:zlib";
import { AppError, type TOtlpBodyCompression } from "@spanlens/core";

const gunzipAsync = promisify(gunzip);
const inflateAsync = promisify(inflate);
const zstdDecompressAsync = promisify(zstdDecompress);

/** Maps a Content-Encoding header to a body compression, or a 415 naming what is accepted. */
export function parseContentEncoding(header: string | undefined): TOtlpBodyCompression {
  const encoding = (header ?? "identity").toLowerCase().trim();
  if (encoding === "gzip" || encoding === "x-gzip") return "gzip";
  if (encoding === "deflate") return "deflate";
  // The OpenTelemetry Collector's otlphttp exporter offers zstd besides gzip.
  if (encoding === "zstd") return "zstd";
  if (encoding === "identity" || encoding === "") return "identity";
  throw new AppError(
    "UNSUPPORTED_MEDIA_TYPE",
    `Unsupported Content-Encoding "${encoding}": send gzip, zstd, deflate or no encoding`,
  );
}

/** Compressed bodies up to this size are inflated synchronously (see `decompressBody`). */
const SYNC_LIMIT_BYTES = 256 * 1024;

/** zlib's output buffer when the decompressed size is not known (deflate). */
const DEFAULT_CHUNK_BYTES = 64 * 1024;
/** Upper bound on an output buffer sized from a gzip trailer; past it zlib adds buffers. */
const MAX_SIZED_CHUNK_BYTES = 8 * 1024 * 1024;
/** Deflate never expands data more than ~1032 times, so a larger trailer size is a lie. */
const MAX_DEFLATE_RATIO = 1032;

/**
 * Decompresses a body. With `maxBytes`, the OTLP size limit applies to the decompressed
 * size and a small compressed bomb stops at the limit (`maxOutputLength`) with a 413.
 * Typical exporter batches (tens of KB) are inflated synchronously: measured at ~50 µs of
 * CPU for a 10 KB gzip body, against ~180 µs (about 100 µs of it on the event loop) for
 * Node's async one-shot call, which runs a zlib stream. Larger bodies go to the thread
 * pool so one request never stalls the loop for long.
 */
export async function decompressBody(
  body: Buffer,
  compression: TOtlpBodyCompression,
  maxBytes?: number,
): Promise<Buffer> {
  if (compression === "identity") return body;
  try {
    const options: Pick<ZlibOptions, "maxOutputLength"> = maxBytes === undefined ? {} : { maxOutputLength: maxBytes };
    if (body.length <= SYNC_LIMIT_BYTES) {
      if (compression === "gzip") return gunzipSync(body, { ...options, chunkSize: gzipChunkSize(body, maxBytes) });
      if (compression === "zstd") return zstdDecompressSync(body, options);
      return inflateSync(body, { ...options, chunkSize: DEFAULT_CHUNK_BYTES });
    }
    if (compression === "zstd") return await zstdDecompressAsync(body, options);
    return compression === "gzip" ? await gunzipAsync(body, options) : await inflateAsync(body, options);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE" && maxBytes !== undefined) {
      throw bodyTooLarge(maxBytes);
    }
    throw new AppError("BAD_REQUEST", `Request body could not be read as ${compression}: ${(error as Error).message}`);
  }
}

/**
 * One output buffer for the whole body: a gzip member ends with its decompressed size
 * (ISIZE, RFC 1952 §2.3.1), and one byte more lets zlib finish without starting another
 * buffer. A fixed 64 KiB chunk costs a fresh 64 KiB allocation per body (too large for
 * Buffer's pool) and a join when the output is larger; a sized one is exactly the output,
 * from the pool when small. The receiver and the worker both inflate every request. On the
 * ingest benchmark's requests (12 KB gzip, 29 KB inflated, `pnpm bench:gunzip`) that took
 * ~40% off the CPU per request and half the full garbage collections that Buffer memory
 * outside the JS heap triggers; in the receiver under load, a third fewer full collections
 * and 6–8 µs less CPU per span (docs/benchmarks.md, run 20). The trailer is the client's
 * word, so it only sizes the buffer: a wrong one fails zlib's own check (400) and a body
 * of several gzip members takes more buffers; the size is bounded by deflate's ratio, the
 * size limit and 8 MiB.
 */
function gzipChunkSize(body: Buffer, maxBytes: number | undefined): number {
  if (body.length < 18) return DEFAULT_CHUNK_BYTES; // shorter than a gzip header and trailer: zlib rejects it
  const trailerSize = body.readUInt32LE(body.length - 4) + 1;
  const bound = Math.min(
    body.length * MAX_DEFLATE_RATIO,
    (maxBytes ?? Number.POSITIVE_INFINITY) + 1,
    MAX_SIZED_CHUNK_BYTES,
  );
  return Math.max(zlibConstants.Z_MIN_CHUNK, Math.min(trailerSize, bound));
}

export function bodyTooLarge(maxBytes: number): AppError {
  return new AppError(
    "PAYLOAD_TOO_LARGE",
    `Request body exceeds ${maxBytes} bytes after decompression: send smaller batches`,
  );
}
