import { promisify } from "node:util";
import { gunzip, gunzipSync, inflate, inflateSync, type ZlibOptions } from "node:zlib";
import { AppError, type TOtlpBodyCompression } from "@spanlens/core";

const gunzipAsync = promisify(gunzip);
const inflateAsync = promisify(inflate);

/** Maps a Content-Encoding header to a body compression, or a 415 naming what is accepted. */
export function parseContentEncoding(header: string | undefined): TOtlpBodyCompression {
  const encoding = (header ?? "identity").toLowerCase().trim();
  if (encoding === "gzip" || encoding === "x-gzip") return "gzip";
  if (encoding === "deflate") return "deflate";
  if (encoding === "identity" || encoding === "") return "identity";
  throw new AppError("UNSUPPORTED_MEDIA_TYPE", `Unsupported Content-Encoding "${encoding}": send gzip or no encoding`);
}

/** Compressed bodies up to this size are inflated synchronously (see `decompressBody`). */
const SYNC_LIMIT_BYTES = 256 * 1024;

/**
 * Decompresses a body. With `maxBytes`, the OTLP size limit applies to the decompressed
 * size and a small compressed bomb stops at the limit (`maxOutputLength`) with a 413.
 * Typical exporter batches (tens of KB) are inflated synchronously with a 64 KiB output
 * chunk: measured at ~50 µs of CPU for a 10 KB gzip body, against ~180 µs (about 100 µs
 * of it on the event loop) for Node's async one-shot call, which runs a zlib stream.
 * Larger bodies go to the thread pool so one request never stalls the loop for long.
 */
export async function decompressBody(
  body: Buffer,
  compression: TOtlpBodyCompression,
  maxBytes?: number,
): Promise<Buffer> {
  if (compression === "identity") return body;
  try {
    const options: ZlibOptions = maxBytes === undefined ? {} : { maxOutputLength: maxBytes };
    if (body.length <= SYNC_LIMIT_BYTES) {
      options.chunkSize = 64 * 1024;
      return compression === "gzip" ? gunzipSync(body, options) : inflateSync(body, options);
    }
    return compression === "gzip" ? await gunzipAsync(body, options) : await inflateAsync(body, options);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE" && maxBytes !== undefined) {
      throw bodyTooLarge(maxBytes);
    }
    throw new AppError("BAD_REQUEST", `Request body could not be read as ${compression}: ${(error as Error).message}`);
  }
}

export function bodyTooLarge(maxBytes: number): AppError {
  return new AppError(
    "PAYLOAD_TOO_LARGE",
    `Request body exceeds ${maxBytes} bytes after decompression: send smaller batches`,
  );
}
