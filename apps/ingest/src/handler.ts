import type { IncomingMessage, ServerResponse } from "node:http";
import { AppError, childLogger, toErrorResponse } from "@spanlens/core";
import { authenticateApiKey } from "@spanlens/db";

const log = childLogger("ingest");

/** OTLP/HTTP paths this receiver answers, including the Langfuse-compatible alias. */
export const OTLP_PATHS = ["/v1/traces", "/v1/logs", "/api/public/otel/v1/traces"] as const;

const SUPPORTED_CONTENT_TYPES = ["application/x-protobuf", "application/json"];

export function isIngestPath(pathname: string): boolean {
  return (OTLP_PATHS as readonly string[]).includes(pathname);
}

export type TIngestHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/**
 * The OTLP/HTTP receiver as a plain node:http handler, so it can be mounted in the
 * all-in-one server in front of Next.js or served on its own.
 */
export function createIngestHandler(): TIngestHandler {
  return async (req, res) => {
    try {
      if (req.method !== "POST") {
        res.setHeader("Allow", "POST");
        throw new AppError("BAD_REQUEST", `Method ${req.method} not allowed: OTLP/HTTP uses POST`);
      }
      const contentType = (req.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
      if (!SUPPORTED_CONTENT_TYPES.includes(contentType)) {
        throw new AppError(
          "UNSUPPORTED_MEDIA_TYPE",
          `Unsupported Content-Type "${contentType || "(none)"}": send application/x-protobuf or application/json`,
        );
      }
      const principal = await authenticateApiKey(req.headers.authorization ?? null);
      req.resume();
      log.info({ projectId: principal.projectId, path: req.url }, "OTLP request received");
      // Decoding and the queue hand-off arrive with the ingest pipeline; until then the
      // receiver says so instead of acknowledging data it would not keep.
      sendJson(res, 501, {
        error: { code: "NOT_IMPLEMENTED", message: "OTLP ingestion is not enabled in this build" },
      });
    } catch (error) {
      req.resume();
      const { status, body } = toErrorResponse(error);
      if (status >= 500) log.error({ err: error }, "ingest request failed");
      sendJson(res, status, body);
    }
  };
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.statusCode = status;
  res.setHeader("Content-Type", "application/json");
  res.end(JSON.stringify(body));
}
