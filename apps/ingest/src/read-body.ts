import type { IncomingMessage } from "node:http";
import { createGunzip, createInflate } from "node:zlib";
import { AppError } from "@spanlens/core";

/**
 * Reads a request body, decompressing gzip/deflate as it streams and stopping as soon as
 * the decompressed size passes the limit (the OTLP limit applies after decompression,
 * and counting as we go keeps a small compressed bomb from filling memory).
 */
export async function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const encoding = (req.headers["content-encoding"] ?? "identity").toLowerCase().trim();
  let source: NodeJS.ReadableStream = req;
  if (encoding === "gzip" || encoding === "x-gzip") source = req.pipe(createGunzip());
  else if (encoding === "deflate") source = req.pipe(createInflate());
  else if (encoding !== "identity" && encoding !== "") {
    throw new AppError(
      "UNSUPPORTED_MEDIA_TYPE",
      `Unsupported Content-Encoding "${encoding}": send gzip or no encoding`,
    );
  }

  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > maxBytes) {
        throw new AppError(
          "PAYLOAD_TOO_LARGE",
          `Request body exceeds ${maxBytes} bytes after decompression: send smaller batches`,
        );
      }
      chunks.push(chunk);
    }
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new AppError("BAD_REQUEST", `Request body could not be read as ${encoding}: ${(error as Error).message}`);
  } finally {
    if (source !== req) req.unpipe();
    req.resume();
  }
  return Buffer.concat(chunks, size);
}
