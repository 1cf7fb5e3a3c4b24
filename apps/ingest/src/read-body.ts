import type { IncomingMessage } from "node:http";
import { AppError, type TOtlpBodyCompression } from "@spanlens/core";
import { bodyTooLarge, decompressBody, parseContentEncoding } from "@spanlens/otlp";

export interface TRequestBody {
  /** The body as sent: what the queue job carries (about half of `decoded` when gzipped). */
  sent: Buffer;
  compression: TOtlpBodyCompression;
  /** The decompressed body the receiver decodes to validate. */
  decoded: Buffer;
}

/** Reads a request body and decompresses it, the size limit applying after decompression. */
export async function readBody(req: IncomingMessage, maxBytes: number): Promise<TRequestBody> {
  const compression = parseContentEncoding(req.headers["content-encoding"]);
  const sent = await readRaw(req, maxBytes);
  return { sent, compression, decoded: await decompressBody(sent, compression, maxBytes) };
}

// A compressed body is never larger than its decompressed form by more than a few bytes,
// so the same limit bounds what is buffered before decompression.
async function readRaw(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > maxBytes) throw bodyTooLarge(maxBytes);
      chunks.push(chunk);
    }
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new AppError("BAD_REQUEST", `Request body could not be read: ${(error as Error).message}`);
  } finally {
    req.resume();
  }
  return chunks.length === 1 && chunks[0] ? chunks[0] : Buffer.concat(chunks, size);
}
