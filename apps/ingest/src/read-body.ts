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

/**
 * Reads a request body and decompresses it, the size limit applying after decompression. A
 * body that has not arrived within `timeoutMs` is a 408.
 */
export async function readBody(req: IncomingMessage, maxBytes: number, timeoutMs: number): Promise<TRequestBody> {
  const compression = parseContentEncoding(req.headers["content-encoding"]);
  const sent = await readRaw(req, maxBytes, timeoutMs);
  return { sent, compression, decoded: await decompressBody(sent, compression, maxBytes) };
}

// A compressed body is never larger than its decompressed form by more than a few bytes,
// so the same limit bounds what is buffered before decompression.
//
// Read with 'data' events rather than `for await`: leaving a `for await` loop early (a body
// over the limit) destroys the request stream, and Node then left the rest of that body
// unread on the keep-alive connection, so a later request on it was never answered. Here
// the rest is drained and discarded, and the connection serves the next request.
function readRaw(req: IncomingMessage, maxBytes: number, timeoutMs: number): Promise<Buffer> {
  // Gone already, while it waited for room among the bytes in flight: its 'close' came and
  // went, and waiting for its end would hold its share until the deadline.
  if (!req.complete && (req.destroyed || req.socket.destroyed)) return Promise.reject(closedBeforeEnd());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const timer = setTimeout(() => {
      stop();
      reject(
        new AppError(
          "REQUEST_TIMEOUT",
          `The request body did not arrive within ${timeoutMs / 1000} s (INGEST_REQUEST_TIMEOUT_SECONDS): ${size} bytes came`,
        ),
      );
    }, timeoutMs);
    const stop = () => {
      clearTimeout(timer);
      req.off("data", onData).off("end", onEnd).off("error", onError).off("close", onClose);
      req.resume();
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        stop();
        reject(bodyTooLarge(maxBytes));
      } else chunks.push(chunk);
    };
    const onEnd = () => {
      stop();
      resolve(chunks.length === 1 && chunks[0] ? chunks[0] : Buffer.concat(chunks, size));
    };
    const onError = (error: Error) => {
      stop();
      reject(new AppError("BAD_REQUEST", `Request body could not be read: ${error.message}`));
    };
    // Closed before its end: the client went away mid-body.
    const onClose = () => {
      stop();
      reject(closedBeforeEnd());
    };
    req.on("data", onData).on("end", onEnd).on("error", onError).on("close", onClose);
  });
}

function closedBeforeEnd(): AppError {
  return new AppError("BAD_REQUEST", "Request body could not be read: the connection closed before its end");
}
