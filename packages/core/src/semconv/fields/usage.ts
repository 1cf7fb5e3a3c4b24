import { readDetailBuckets } from "../conventions/langfuse.js";
import { FIELD_KEYS } from "../field-keys.js";
import type { AttributeReader } from "../internal/attribute-reader.js";
import type { TNormalizedUsage, TSpanKind, TUsageBuckets } from "../normalized-span.js";

type TRawUsage = Pick<
  TNormalizedUsage,
  "inputTokens" | "outputTokens" | "totalTokens" | "cacheReadTokens" | "cacheWriteTokens" | "reasoningTokens"
>;

/** Kinds whose usage is the span's own model call; any other kind only rolls up its children. */
const MODEL_CALL_KINDS: ReadonlySet<TSpanKind> = new Set(["generation", "embedding", "rerank"]);

/**
 * Splits raw counts into disjoint buckets. Raw counts follow the OTel GenAI meaning
 * (input includes cache reads and writes; output includes reasoning), as OpenInference's
 * `*_details` and the Vercel AI SDK's `cachedInputTokens`/`reasoningTokens` also do.
 * Anthropic-style exclusive input counts would clamp at zero here, not go negative.
 */
export function deriveUsageBuckets(raw: TRawUsage): TUsageBuckets {
  const cacheRead = raw.cacheReadTokens ?? 0;
  const cacheWrite = raw.cacheWriteTokens ?? 0;
  const reasoning = raw.reasoningTokens ?? 0;
  return {
    uncachedInput: Math.max(0, (raw.inputTokens ?? 0) - cacheRead - cacheWrite),
    cacheRead,
    cacheWrite,
    output: Math.max(0, (raw.outputTokens ?? 0) - reasoning),
    reasoning,
  };
}

function readAttributeUsage(reader: AttributeReader): TRawUsage {
  const keys = FIELD_KEYS.usage;
  return {
    inputTokens: reader.takeNumber(keys.inputTokens),
    outputTokens: reader.takeNumber(keys.outputTokens),
    totalTokens: reader.takeNumber(keys.totalTokens),
    cacheReadTokens: reader.takeNumber(keys.cacheReadTokens),
    cacheWriteTokens: reader.takeNumber(keys.cacheWriteTokens),
    reasoningTokens: reader.takeNumber(keys.reasoningTokens),
  };
}

function sumKnown(...counts: Array<number | undefined>): number | null {
  const known = counts.filter((count): count is number => count !== undefined);
  return known.length === 0 ? null : known.reduce((sum, count) => sum + count, 0);
}

/**
 * Langfuse usage details are disjoint (Langfuse prices each key on its own, and its SDKs
 * subtract cached and reasoning tokens), so they are summed back into OTel-meaning counts.
 */
function readLangfuseUsage(reader: AttributeReader): TRawUsage | null {
  const details = readDetailBuckets(reader, FIELD_KEYS.usageDetails);
  if (details === null) return null;
  const hasInput = details.input !== undefined || details.cacheRead !== undefined || details.cacheWrite !== undefined;
  const hasOutput = details.output !== undefined || details.reasoning !== undefined;
  return {
    inputTokens: hasInput ? sumKnown(details.input, details.cacheRead, details.cacheWrite) : null,
    outputTokens: hasOutput ? sumKnown(details.output, details.reasoning) : null,
    totalTokens: details.total ?? null,
    cacheReadTokens: details.cacheRead ?? null,
    cacheWriteTokens: details.cacheWrite ?? null,
    reasoningTokens: details.reasoning ?? null,
  };
}

function mergeRaw(primary: TRawUsage, fallback: TRawUsage | null): TRawUsage {
  if (fallback === null) return primary;
  return {
    inputTokens: primary.inputTokens ?? fallback.inputTokens,
    outputTokens: primary.outputTokens ?? fallback.outputTokens,
    totalTokens: primary.totalTokens ?? fallback.totalTokens,
    cacheReadTokens: primary.cacheReadTokens ?? fallback.cacheReadTokens,
    cacheWriteTokens: primary.cacheWriteTokens ?? fallback.cacheWriteTokens,
    reasoningTokens: primary.reasoningTokens ?? fallback.reasoningTokens,
  };
}

/**
 * A token count as reported, or null when it cannot be one: negative (an exporter's unset
 * sentinel, such as -1) or past 2^53. Such a count is treated as not reported, so it neither
 * prices a negative cost nor reaches a UInt64 column, where it would fail the whole insert.
 * Fractions are rounded (some SDKs report estimated counts as doubles).
 */
function tokenCount(count: number | null | undefined): number | null {
  if (count === null || count === undefined || count < 0 || count > Number.MAX_SAFE_INTEGER) return null;
  return Math.round(count);
}

function validCounts(raw: TRawUsage): TRawUsage {
  return {
    inputTokens: tokenCount(raw.inputTokens),
    outputTokens: tokenCount(raw.outputTokens),
    totalTokens: tokenCount(raw.totalTokens),
    cacheReadTokens: tokenCount(raw.cacheReadTokens),
    cacheWriteTokens: tokenCount(raw.cacheWriteTokens),
    reasoningTokens: tokenCount(raw.reasoningTokens),
  };
}

/** Raw counts (first key wins per count, Langfuse details last) plus derived buckets; null without any count. */
export function readUsage(reader: AttributeReader, kind: TSpanKind): TNormalizedUsage | null {
  const raw = validCounts(mergeRaw(readAttributeUsage(reader), readLangfuseUsage(reader)));
  if (Object.values(raw).every((count) => count === null)) return null;
  // A missing total is derivable; reported totals are kept as sent even when they disagree.
  const totalTokens =
    raw.totalTokens ??
    (raw.inputTokens !== null || raw.outputTokens !== null ? (raw.inputTokens ?? 0) + (raw.outputTokens ?? 0) : null);
  return {
    ...raw,
    totalTokens,
    ...deriveUsageBuckets(raw),
    isAggregate: !MODEL_CALL_KINDS.has(kind),
  };
}
