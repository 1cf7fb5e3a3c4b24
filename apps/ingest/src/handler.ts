import type { IncomingMessage, ServerResponse } from "node:http";
import { AppError, childLogger, type TOtlpIngestJob, toErrorResponse } from "@spanlens/core";
import type { TApiKeyPrincipal } from "@spanlens/db";
import {
  bodyTooLarge,
  encodeFailureResponse,
  mediaTypeOf,
  OTLP_CONTENT_TYPE_HEADERS,
  parseOtlpContentType,
  type TOtlpContentType,
} from "@spanlens/otlp";
import { readIngestConfig } from "./config.js";
import type { TInFlightReservation } from "./in-flight-budget.js";
import { createExportIntake, type TIntakeConfig } from "./intake.js";
import { readBody } from "./read-body.js";

const log = childLogger("ingest");

/** OTLP/HTTP paths this receiver answers; the last is where Langfuse SDK exporters post. */
const SIGNAL_BY_PATH: Record<string, TOtlpIngestJob["signal"]> = {
  "/v1/traces": "traces",
  "/v1/logs": "logs",
  "/api/public/otel/v1/traces": "traces",
};

/**
 * An exporter given one base URL for every signal also posts metrics. They are answered
 * here rather than by the dashboard's HTML 404, so the exporter's log says what to change.
 */
const METRICS_PATH = "/v1/metrics";
const METRICS_NOT_STORED =
  "Spanlens stores traces and logs, not metrics: turn the metrics exporter off (OTEL_METRICS_EXPORTER=none) or point it elsewhere";

export function isIngestPath(pathname: string): boolean {
  return pathname in SIGNAL_BY_PATH || pathname === METRICS_PATH;
}

export type TIngestHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/**
 * The OTLP/HTTP receiver as a plain node:http handler, mounted in front of Next.js in
 * all-in-one mode or served alone. It authenticates, decodes to validate and count,
 * then hands the request to the worker as one queue job; 200 means the job is in Redis.
 */
export function createIngestHandler(config: TIntakeConfig = readIngestConfig()): TIngestHandler {
  const intake = createExportIntake(config);
  return async (req, res) => {
    const pathname = new URL(req.url ?? "/", "http://localhost").pathname;
    const signal = SIGNAL_BY_PATH[pathname] ?? "traces";
    const source = { transport: "http", userAgent: req.headers["user-agent"] ?? "" } as const;
    const authorization = req.headers.authorization ?? null;
    // Every answer, a refusal too, is in the request's encoding; JSON when that is unknown.
    const requestType = parseOtlpContentType(req.headers["content-type"]);
    // Known once the key is: from then on a refusal is also recorded for the project to see.
    let principal: TApiKeyPrincipal | null = null;
    let reservation: TInFlightReservation | null = null;
    try {
      if (pathname === METRICS_PATH) {
        // Answered whether or not the key is valid; a valid one lets the project see it too.
        principal = await intake.authenticate(authorization).catch(() => null);
        throw new AppError("NOT_FOUND", METRICS_NOT_STORED);
      }
      if (req.method !== "POST") {
        res.setHeader("Allow", "POST");
        throw new AppError("METHOD_NOT_ALLOWED", `Method ${req.method} not allowed: OTLP/HTTP uses POST`);
      }
      principal = await intake.authenticate(authorization);
      await intake.checkCapacity(principal.projectId);
      if (!requestType) {
        const mediaType = mediaTypeOf(req.headers["content-type"]);
        throw new AppError(
          "UNSUPPORTED_MEDIA_TYPE",
          `Unsupported Content-Type "${mediaType || "(none)"}": send application/x-protobuf or application/json`,
        );
      }
      // Refused before any of it is read: not even its compressed form fits the limit.
      const declared = declaredLength(req);
      if (declared > config.maxBodyBytes) throw bodyTooLarge(config.maxBodyBytes);
      // What the body declares is held before it is read; its decompressed size once known.
      reservation = await intake.reserve(declared, principal.projectId);
      const body = await readBody(req, config.maxBodyBytes, config.requestTimeoutMs);
      reservation.resize(Math.max(body.sent.length, body.decoded.length));
      const response = await intake.accept(principal, signal, requestType, body, source);
      send(res, 200, requestType, response);
    } catch (error) {
      req.resume();
      const { status, body } = toErrorResponse(error);
      if (status >= 500 && status !== 503) log.error({ err: error, path: pathname }, "ingest request failed");
      if (status === 429 || status === 503) res.setHeader("Retry-After", String(config.retryAfterSeconds));
      // The rest of a stalled body may never come: the connection cannot serve another request.
      if (status === 408) res.setHeader("Connection", "close");
      const refusedSignal = pathname === METRICS_PATH ? "metrics" : signal;
      intake.refused(principal, error, { ...source, signal: refusedSignal, status, message: body.error.message });
      const answerType = requestType ?? "json";
      send(res, status, answerType, encodeFailureResponse(answerType, status, body.error));
    } finally {
      reservation?.release();
    }
  };
}

/** The body size a request declares; 0 for a chunked body, whose bytes are counted once read. */
function declaredLength(req: IncomingMessage): number {
  const length = Number(req.headers["content-length"]);
  return Number.isSafeInteger(length) && length > 0 ? length : 0;
}

function send(res: ServerResponse, status: number, contentType: TOtlpContentType, body: Uint8Array): void {
  res.statusCode = status;
  res.setHeader("Content-Type", OTLP_CONTENT_TYPE_HEADERS[contentType]);
  res.end(body);
}
