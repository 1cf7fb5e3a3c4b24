import { AppError } from "@spanlens/core";
import type { TOtlpRejections } from "./types.js";

// A partial-success message is read by a human in an exporter log; a handful of distinct
// reasons explains a batch, thousands of copies of one reason do not.
const MAX_REASONS = 10;

export function createRejections(): TOtlpRejections {
  return { count: 0, reasons: [] };
}

export function rejectRecord(rejected: TOtlpRejections, reason: string): void {
  rejected.count++;
  if (rejected.reasons.length < MAX_REASONS && !rejected.reasons.includes(reason)) rejected.reasons.push(reason);
}

export function badRequest(message: string, cause?: unknown): AppError {
  return new AppError("BAD_REQUEST", message, cause === undefined ? undefined : { cause });
}

export const LOGS_SENT_TO_TRACES_MESSAGE =
  "request body looks like an OTLP logs export sent to /v1/traces; send logs to /v1/logs";

// Nesting beyond this is not a real attribute value; refusing it early keeps a hostile body
// from exhausting the stack.
export const MAX_ANY_VALUE_DEPTH = 32;
