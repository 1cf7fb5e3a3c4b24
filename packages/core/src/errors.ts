/** Error codes a service may raise, each with the HTTP status every transport maps it to. */
export const ERROR_STATUS = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  REQUEST_TIMEOUT: 408,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  TOO_MANY_REQUESTS: 429,
  INTERNAL: 500,
  UNAVAILABLE: 503,
} as const;

export type TErrorCode = keyof typeof ERROR_STATUS;

/**
 * The one error type services throw. Transports map it once (REST wrapper, tRPC
 * error formatter, OTLP receiver); 5xx messages are never shown to clients.
 */
export class AppError extends Error {
  readonly code: TErrorCode;
  readonly status: number;
  readonly details?: Record<string, unknown>;

  constructor(code: TErrorCode, message: string, options?: { cause?: unknown; details?: Record<string, unknown> }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = "AppError";
    this.code = code;
    this.status = ERROR_STATUS[code];
    if (options?.details) this.details = options.details;
  }

  get isClientError(): boolean {
    return this.status < 500;
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}

/** The body every HTTP transport sends for an error. */
export interface TErrorBody {
  error: { code: TErrorCode; message: string; details?: Record<string, unknown> };
}

/** Turns any thrown value into the status and body a client may see. */
export function toErrorResponse(error: unknown): { status: number; body: TErrorBody } {
  if (isAppError(error) && error.isClientError) {
    const body: TErrorBody = { error: { code: error.code, message: error.message } };
    if (error.details) body.error.details = error.details;
    return { status: error.status, body };
  }
  if (isAppError(error) && error.code === "UNAVAILABLE") {
    return { status: 503, body: { error: { code: "UNAVAILABLE", message: error.message } } };
  }
  return { status: 500, body: { error: { code: "INTERNAL", message: "Internal server error" } } };
}
