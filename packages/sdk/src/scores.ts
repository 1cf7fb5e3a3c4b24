import { postJson, type TClientOptions } from "./http.js";
import { getCurrentSpanId, getCurrentTraceId } from "./ids.js";

/** What a score is about: a trace, one span of it, or a whole session (at least one). */
export interface TScoreTarget {
  traceId?: string;
  spanId?: string;
  sessionId?: string;
}

export type TScoreValue = number | boolean | string;

export interface TScoreInput extends TScoreTarget {
  /** Idempotency key; generated when absent, so retries store one score. */
  id?: string;
  name: string;
  value: TScoreValue;
  dataType?: "numeric" | "boolean" | "categorical";
  label?: string;
  comment?: string;
  timestamp?: Date | string;
  metadata?: Record<string, unknown>;
}

export interface TThumbsInput extends TScoreTarget {
  isPositive: boolean;
  comment?: string;
  /** Defaults to `user_feedback`. */
  name?: string;
  metadata?: Record<string, unknown>;
}

const TRACE_ID = /^[0-9a-f]{32}$/;
const SPAN_ID = /^[0-9a-f]{16}$/;

function dataTypeOf(value: TScoreValue): "numeric" | "boolean" | "categorical" {
  if (typeof value === "boolean") return "boolean";
  return typeof value === "number" ? "numeric" : "categorical";
}

/** Fills the target from the active span when none is given, and checks the ids' shape. */
function resolveTarget(target: TScoreTarget): TScoreTarget {
  const hasTarget = target.traceId || target.spanId || target.sessionId;
  const resolved = hasTarget ? { ...target } : { traceId: getCurrentTraceId() ?? undefined };
  if (!resolved.traceId && !resolved.spanId && !resolved.sessionId)
    throw new TypeError("a score needs traceId, spanId or sessionId (or an active span to take them from)");
  if (resolved.traceId && !TRACE_ID.test(resolved.traceId))
    throw new TypeError(`traceId must be 32 lowercase hex characters, got "${resolved.traceId}"`);
  if (resolved.spanId && !SPAN_ID.test(resolved.spanId))
    throw new TypeError(`spanId must be 16 lowercase hex characters, got "${resolved.spanId}"`);
  return Object.fromEntries(Object.entries(resolved).filter(([, value]) => value !== undefined));
}

export interface TScoresClient {
  /** Any score: numeric (0.82), boolean (true) or categorical ("correct"). */
  create(input: TScoreInput): Promise<{ id: string }>;
  /** Thumbs up/down from a user: boolean `user_feedback` 1/0. */
  thumbs(input: TThumbsInput): Promise<{ id: string }>;
  numeric(name: string, value: number, target?: TScoreTarget & Partial<TScoreInput>): Promise<{ id: string }>;
  categorical(name: string, label: string, target?: TScoreTarget & Partial<TScoreInput>): Promise<{ id: string }>;
}

/**
 * Feedback and evaluation scores for traces, spans and sessions (`POST /api/public/v1/scores`).
 * Without a target, the active span's trace is scored.
 */
export function createScoresClient(options: TClientOptions = {}): TScoresClient {
  const create = (input: TScoreInput) => {
    const { traceId, spanId, sessionId, timestamp, ...rest } = input;
    const body = {
      ...rest,
      ...resolveTarget({ traceId, spanId, sessionId }),
      id: input.id ?? crypto.randomUUID(),
      dataType: input.dataType ?? dataTypeOf(input.value),
      source: "sdk",
      ...(timestamp ? { timestamp: typeof timestamp === "string" ? timestamp : timestamp.toISOString() } : {}),
    };
    return postJson<{ id: string }>(options, "/api/public/v1/scores", body);
  };
  return {
    create,
    thumbs: ({ isPositive, name, ...rest }) =>
      create({ ...rest, name: name ?? "user_feedback", value: isPositive, dataType: "boolean" }),
    numeric: (name, value, target = {}) => create({ ...target, name, value, dataType: "numeric" }),
    categorical: (name, label, target = {}) =>
      create({ ...target, name, value: label, label, dataType: "categorical" }),
  };
}

/** The span id active right now, for scoring one step rather than the whole trace. */
export function currentScoreTarget(): TScoreTarget {
  const traceId = getCurrentTraceId();
  const spanId = getCurrentSpanId();
  return { ...(traceId ? { traceId } : {}), ...(spanId ? { spanId } : {}) };
}
