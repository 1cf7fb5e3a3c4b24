import { EnvError } from "@spanlens/core";

/**
 * ClickHouse could not be reached or opened at start-up. It is an `EnvError`, so entry
 * points that print configuration problems as one line handle it without a stack trace.
 */
export class ClickHouseConnectionError extends EnvError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message);
    this.name = "ClickHouseConnectionError";
    if (options?.cause !== undefined) this.cause = options.cause;
  }
}

/** The first line of an error's message, for one-line reports. */
export function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split("\n").find((line) => line.trim() !== "") ?? "unknown error";
}

/**
 * True for an error raised by the ClickHouse engine (numeric `code`, `type` such as
 * `UNKNOWN_TABLE`). chdb throws its own copy of the client's `ClickHouseError` class,
 * so `instanceof ClickHouseError` is false in embedded mode; this check works in both.
 */
export function isClickHouseError(error: unknown): error is Error & { code: string; type?: string } {
  if (!(error instanceof Error) || !("code" in error)) return false;
  return typeof error.code === "string" && /^\d+$/.test(error.code);
}
