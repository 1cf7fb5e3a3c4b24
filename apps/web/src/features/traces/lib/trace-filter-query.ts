import { z } from "zod";

/**
 * The trace list's filters as query parameters. One schema serves the public API, the
 * explorer's URL (so a filtered view is a shareable link) and saved views; the UI writes
 * exactly these names into the URL.
 */

export const TIME_RANGE_PRESETS = ["15m", "1h", "24h", "7d", "30d"] as const;
export type TTimeRangePreset = (typeof TIME_RANGE_PRESETS)[number];
export const PRESET_MS: Record<TTimeRangePreset, number> = {
  "15m": 15 * 60_000,
  "1h": 3600_000,
  "24h": 24 * 3600_000,
  "7d": 7 * 24 * 3600_000,
  "30d": 30 * 24 * 3600_000,
};

export const SPAN_KINDS = [
  "generation",
  "embedding",
  "retrieval",
  "rerank",
  "tool",
  "agent",
  "chain",
  "guardrail",
  "evaluator",
  "span",
] as const;

export const SORT_FIELDS = ["startTime", "durationMs", "totalCost", "totalTokens", "spanCount"] as const;

const repeatable = <T extends z.ZodType>(item: T) =>
  z
    .union([item, z.array(item)])
    .optional()
    .transform((value) => (value === undefined ? undefined : Array.isArray(value) ? value : [value]));

const NUMBER = String.raw`-?\d+(?:\.\d+)?`;
const SCORE_BELOW = new RegExp(`^([^<>=]+)<(${NUMBER})$`);
const SCORE_AT_LEAST = new RegExp(`^([^<>=]+)>=(${NUMBER})$`);
const SCORE_BETWEEN = new RegExp(`^(${NUMBER})<=([^<>=]+)<(${NUMBER})$`);

/** `confidence<0.5`, `confidence>=0.8` or `0.2<=confidence<0.5`. */
export function parseScoreRange(text: string): { name: string; min?: number; max?: number } | null {
  const below = SCORE_BELOW.exec(text);
  if (below?.[1] && below[2]) return { name: below[1].trim(), max: Number(below[2]) };
  const atLeast = SCORE_AT_LEAST.exec(text);
  if (atLeast?.[1] && atLeast[2]) return { name: atLeast[1].trim(), min: Number(atLeast[2]) };
  const between = SCORE_BETWEEN.exec(text);
  if (between?.[1] && between[2] && between[3]) {
    return { name: between[2].trim(), min: Number(between[1]), max: Number(between[3]) };
  }
  return null;
}

export function formatScoreRange(range: { name: string; min?: number | undefined; max?: number | undefined }): string {
  if (range.min !== undefined && range.max !== undefined) return `${range.min}<=${range.name}<${range.max}`;
  if (range.min !== undefined) return `${range.name}>=${range.min}`;
  return `${range.name}<${range.max ?? 0}`;
}

const ZScoreRange = z.string().transform((text, ctx) => {
  const range = parseScoreRange(text);
  if (!range) {
    ctx.addIssue({ code: "custom", message: "expected `name<x`, `name>=x` or `x<=name<y` (e.g. `confidence<0.5`)" });
    return z.NEVER;
  }
  return range;
});

const ZMetadataMatch = z.string().transform((text, ctx) => {
  const index = text.indexOf("=");
  if (index <= 0) {
    ctx.addIssue({ code: "custom", message: "expected `key=value` (e.g. `tenant=acme`)" });
    return z.NEVER;
  }
  return { key: text.slice(0, index), value: text.slice(index + 1) };
});

const nonNegative = z.coerce.number().min(0).optional();
const isoTime = z.iso.datetime({ offset: true }).optional();

export const ZTraceFilterQuery = z.object({
  range: z
    .enum(TIME_RANGE_PRESETS)
    .optional()
    .meta({ description: "Relative window ending now; ignored when `from` is given (default 24h)" }),
  from: isoTime.meta({ description: "ISO 8601 start of the window" }),
  to: isoTime.meta({ description: "ISO 8601 end of the window, exclusive (default: now)" }),
  name: z.string().min(1).optional().meta({ description: "Exact trace name" }),
  tags: repeatable(z.string().min(1)).meta({ description: "Repeatable; every tag must be on the trace (`domain:hr`)" }),
  metadata: repeatable(ZMetadataMatch).meta({ description: "Repeatable `key=value`; some span carries each pair" }),
  userId: z.string().min(1).optional(),
  sessionId: z.string().min(1).optional(),
  environment: z.string().min(1).optional(),
  release: z.string().min(1).optional(),
  models: repeatable(z.string().min(1)).meta({ description: "Repeatable; any of these models was called" }),
  kinds: repeatable(z.enum(SPAN_KINDS)).meta({ description: "Repeatable; the trace has a span of any of these kinds" }),
  status: z.enum(["error", "ok"]).optional(),
  minDurationMs: nonNegative,
  maxDurationMs: nonNegative,
  minCost: nonNegative.meta({ description: "USD" }),
  maxCost: nonNegative.meta({ description: "USD" }),
  scores: repeatable(ZScoreRange).meta({
    description: "Repeatable `name<x`, `name>=x` or `x<=name<y`: some score of that name lies in the range",
  }),
  feedback: z.enum(["positive", "negative"]).optional(),
  lowConfidence: z
    .enum(["true", "1"])
    .optional()
    .transform((value) => (value === undefined ? undefined : true))
    .meta({ description: "`true`: only traces the project's low-confidence rules match (Scores → Settings)" }),
  retrievalTopScoreBelow: z.coerce
    .number()
    .optional()
    .meta({ description: "The trace has a retrieval whose best document scored below this" }),
  search: z
    .string()
    .min(2)
    .max(200)
    .optional()
    .meta({ description: "Case-insensitive text in any span's input/output" }),
});

export const ZTraceListQuery = ZTraceFilterQuery.extend({
  sortBy: z.enum(SORT_FIELDS).default("startTime"),
  sortDir: z.enum(["asc", "desc"]).default("desc"),
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().min(1).optional().meta({ description: "`nextCursor` from the previous page" }),
});

export type TTraceFilterQuery = z.output<typeof ZTraceFilterQuery>;
export type TTraceListQuery = z.output<typeof ZTraceListQuery>;

/** The absolute window a query means at `now`. */
export function resolveTimeWindow(query: Pick<TTraceFilterQuery, "range" | "from" | "to">, now: number) {
  const to = query.to ? new Date(query.to) : new Date(now);
  const from = query.from ? new Date(query.from) : new Date(to.getTime() - PRESET_MS[query.range ?? "24h"]);
  return { from, to };
}

/** Cross-field checks, with messages that name the field. */
export function validateTraceFilterQuery(query: TTraceFilterQuery, now: number): string | null {
  const { from, to } = resolveTimeWindow(query, now);
  if (from >= to) return "from: must be before `to`";
  if (
    query.minDurationMs !== undefined &&
    query.maxDurationMs !== undefined &&
    query.minDurationMs > query.maxDurationMs
  ) {
    return "minDurationMs: must not exceed maxDurationMs";
  }
  if (query.minCost !== undefined && query.maxCost !== undefined && query.minCost > query.maxCost) {
    return "minCost: must not exceed maxCost";
  }
  return null;
}
