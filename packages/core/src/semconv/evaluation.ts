import type { TOtlpLogRecord } from "../otlp-types.js";
import { toNonEmptyText, toNumber } from "./internal/any-value.js";
import type { TNormalizedScore } from "./normalized-span.js";

export const EVALUATION_EVENT_NAME = "gen_ai.evaluation.result";

/** Older SDKs put the event name in an `event.name` attribute instead of the record's field. */
function isEvaluationRecord(log: TOtlpLogRecord): boolean {
  return log.eventName === EVALUATION_EVENT_NAME || log.attributes["event.name"] === EVALUATION_EVENT_NAME;
}

/**
 * A `gen_ai.evaluation.result` log record as a score on the span it is parented to (the
 * trace when it has no span). Null for other records, and for records with no trace to
 * attach to or no evaluation name.
 */
export function normalizeEvaluationLog(log: TOtlpLogRecord): TNormalizedScore | null {
  if (!isEvaluationRecord(log) || !log.traceId) return null;
  const name = toNonEmptyText(log.attributes["gen_ai.evaluation.name"]);
  if (name === null) return null;
  return {
    traceId: log.traceId,
    spanId: log.spanId || null,
    name,
    value: toNumber(log.attributes["gen_ai.evaluation.score.value"]),
    label: toNonEmptyText(log.attributes["gen_ai.evaluation.score.label"]),
    comment: toNonEmptyText(log.attributes["gen_ai.evaluation.explanation"]),
    scope: log.spanId ? "span" : "trace",
    source: "otlp",
  };
}
