import { createHash } from "node:crypto";
import type { TEvaluatorFilter } from "@spanlens/db";
import type { TEvaluationTrace } from "./trace-view.js";

/** Whether a trace passes an evaluator's filter; when not, which field failed and why. */
export function matchEvaluatorFilter(
  filter: TEvaluatorFilter,
  trace: TEvaluationTrace,
): { isMatch: true } | { isMatch: false; reason: string } {
  if (filter.traceName !== undefined && trace.name !== filter.traceName) {
    return { isMatch: false, reason: `traceName: expected "${filter.traceName}"` };
  }
  for (const tag of filter.tags ?? []) {
    if (!trace.tags.includes(tag)) return { isMatch: false, reason: `tags: missing "${tag}"` };
  }
  if (filter.environment !== undefined && trace.environment !== filter.environment) {
    return { isMatch: false, reason: `environment: expected "${filter.environment}"` };
  }
  if (filter.userId !== undefined && trace.userId !== filter.userId) {
    return { isMatch: false, reason: `userId: expected "${filter.userId}"` };
  }
  return { isMatch: true };
}

/**
 * Deterministic sampling from the trace id: a trace is in when the first 32 bits of
 * SHA-256(trace id), as a fraction of 2^32, fall below the rate. Hashing (rather than
 * reading the id's own bits) keeps it uniform for ids that are not random, and the same
 * trace always gets the same answer, so re-evaluating a trace never flips it.
 */
export function isTraceSampled(traceId: string, samplingRate: number): boolean {
  if (samplingRate >= 1) return true;
  if (samplingRate <= 0) return false;
  const bucket = createHash("sha256").update(traceId).digest().readUInt32BE(0) / 2 ** 32;
  return bucket < samplingRate;
}
