import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { AppError, childLogger, QueueName, type TOtlpIngestJob, toErrorResponse } from "@spanlens/core";
import { authenticateApiKey } from "@spanlens/db";
import {
  decodeLogs,
  decodeTraces,
  encodeLogsResponse,
  encodeTraceResponse,
  type TOtlpContentType,
} from "@spanlens/otlp";
import { getQueue, OTLP_BODY_TTL_SECONDS, otlpBodyKey, queueConnection } from "@spanlens/queue";
import { readIngestConfig, type TIngestConfig } from "./config.js";
import { readBody } from "./read-body.js";

const log = childLogger("ingest");

/** OTLP/HTTP paths this receiver answers; the last is where Langfuse SDK exporters post. */
const SIGNAL_BY_PATH: Record<string, TOtlpIngestJob["signal"]> = {
  "/v1/traces": "traces",
  "/v1/logs": "logs",
  "/api/public/otel/v1/traces": "traces",
};

export function isIngestPath(pathname: string): boolean {
  return pathname in SIGNAL_BY_PATH;
}

export type TIngestHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/** What the handler uses; the connection settings belong to the server (`configureIngestServer`). */
export type TIngestHandlerConfig = Omit<TIngestConfig, "keepAliveTimeoutMs">;

const CONTENT_TYPES: Record<string, TOtlpContentType> = {
  "application/x-protobuf": "protobuf",
  "application/protobuf": "protobuf",
  "application/json": "json",
};

/**
 * The OTLP/HTTP receiver as a plain node:http handler, mounted in front of Next.js in
 * all-in-one mode or served alone. It authenticates, decodes to validate and count,
 * then hands the request to the worker as one queue job; 200 means the job is in Redis.
 */
export function createIngestHandler(config: TIngestHandlerConfig = readIngestConfig()): TIngestHandler {
  const backpressure = createBackpressure(config);
  return async (req, res) => {
    const pathname = new URL(req.url ?? "/", "http://localhost").pathname;
    const signal = SIGNAL_BY_PATH[pathname] ?? "traces";
    let contentType: TOtlpContentType = "json";
    try {
      if (req.method !== "POST") {
        res.setHeader("Allow", "POST");
        throw new AppError("BAD_REQUEST", `Method ${req.method} not allowed: OTLP/HTTP uses POST`);
      }
      const mediaType = (req.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
      const parsedType = CONTENT_TYPES[mediaType];
      if (!parsedType) {
        throw new AppError(
          "UNSUPPORTED_MEDIA_TYPE",
          `Unsupported Content-Type "${mediaType || "(none)"}": send application/x-protobuf or application/json`,
        );
      }
      contentType = parsedType;
      const principal = await authenticateApiKey(req.headers.authorization ?? null);
      await backpressure.check();
      const body = await readBody(req, config.maxBodyBytes);

      const decoded =
        signal === "traces" ? decodeTraces(body.decoded, contentType) : decodeLogs(body.decoded, contentType);
      const accepted = "spans" in decoded ? decoded.spans.length : decoded.logRecords.length;
      const requestId = randomUUID();
      if (accepted > 0) {
        const queue = getQueue(QueueName.OtlpIngest);
        const bodyKey = otlpBodyKey(requestId);
        const job: TOtlpIngestJob = {
          projectId: principal.projectId,
          requestId,
          signal,
          encoding: contentType,
          bodyKey,
          compression: body.compression,
          receivedAt: Date.now(),
          bytes: body.decoded.length,
        };
        const enqueue = async () => {
          const client = await queueConnection(queue);
          // One connection, so Redis runs the SET before the job exists: a worker that
          // sees the job always finds its body.
          await Promise.all([
            client.set(bodyKey, body.sent, "EX", OTLP_BODY_TTL_SECONDS),
            queue.add(signal, job, {
              jobId: requestId,
              attempts: 20,
              backoff: { type: "exponential", delay: 500 },
              removeOnComplete: true,
              removeOnFail: { age: OTLP_BODY_TTL_SECONDS },
            }),
          ]);
        };
        await withinQueueTimeout(enqueue(), config.enqueueTimeoutMs);
      }
      const partial =
        decoded.rejected.count > 0
          ? { rejected: decoded.rejected.count, errorMessage: decoded.rejected.reasons.slice(0, 5).join("; ") }
          : undefined;
      log.debug(
        { projectId: principal.projectId, requestId, signal, accepted, rejected: decoded.rejected.count },
        "accepted",
      );
      send(res, 200, contentType, encodeResponse(signal, contentType, partial));
    } catch (error) {
      req.resume();
      const { status, body } = toErrorResponse(error);
      if (status >= 500 && status !== 503) log.error({ err: error, path: pathname }, "ingest request failed");
      if (status === 429 || status === 503) res.setHeader("Retry-After", String(config.retryAfterSeconds));
      send(res, status, "json", Buffer.from(JSON.stringify(body)));
    }
  };
}

function encodeResponse(
  signal: TOtlpIngestJob["signal"],
  contentType: TOtlpContentType,
  partial: { rejected: number; errorMessage: string } | undefined,
): Uint8Array {
  if (signal === "logs") {
    return encodeLogsResponse(
      contentType,
      partial && { rejectedLogRecords: partial.rejected, errorMessage: partial.errorMessage },
    );
  }
  return encodeTraceResponse(
    contentType,
    partial && { rejectedSpans: partial.rejected, errorMessage: partial.errorMessage },
  );
}

function send(res: ServerResponse, status: number, contentType: TOtlpContentType, body: Uint8Array): void {
  res.statusCode = status;
  res.setHeader("Content-Type", contentType === "protobuf" ? "application/x-protobuf" : "application/json");
  res.end(body);
}

/**
 * Bounds a Redis call: a request must not hang while Redis is away. A job that Redis
 * takes after the 503 is harmless: the exporter's retry writes the same span ids, and
 * rows collapse by key in ClickHouse.
 */
async function withinQueueTimeout<T>(operation: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new AppError("UNAVAILABLE", "The ingest queue (Redis) is not answering: retry after the delay")),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([operation, timeout]);
  } finally {
    clearTimeout(timer);
    // The losing operation still settles later; keep its rejection from going unhandled.
    operation.catch(() => undefined);
  }
}

const DEPTH_REFRESH_MS = 250;
const DEPTH_MAX_AGE_MS = 1_000;

/**
 * Sheds load when the worker falls behind, so ingest never blocks on ClickHouse. Under
 * load the depth is read in the background at most every 250 ms: one Redis round trip per
 * request would cost more than the check is worth. A depth older than 1 s (after a quiet
 * spell) is never used: requests wait for a fresh one, so a burst after a drain is not
 * refused on the full queue last seen.
 */
function createBackpressure(config: TIngestHandlerConfig) {
  let depth = 0;
  let checkedAt = 0;
  let refreshing: Promise<void> | null = null;
  const refresh = (): Promise<void> => {
    refreshing ??= withinQueueTimeout(getQueue(QueueName.OtlpIngest).getWaitingCount(), config.enqueueTimeoutMs)
      .then((count) => {
        depth = count;
        checkedAt = Date.now();
      })
      .finally(() => {
        refreshing = null;
      });
    return refreshing;
  };
  return {
    async check(): Promise<void> {
      const age = Date.now() - checkedAt;
      if (age > DEPTH_MAX_AGE_MS) await refresh();
      // In the background; if Redis does not answer, requests past the maximum age get its error.
      else if (age > DEPTH_REFRESH_MS) refresh().catch(() => undefined);
      if (depth >= config.maxQueueDepth) {
        throw new AppError("UNAVAILABLE", `Ingest queue is full (${depth} requests waiting): retry after the delay`);
      }
    },
  };
}
