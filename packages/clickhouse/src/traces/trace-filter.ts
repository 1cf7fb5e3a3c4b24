import { lowConfidenceScoreCondition, type TLowConfidenceRuleLike } from "../scores/low-confidence.js";
import { toClickHouseTime } from "../spans/span-row.js";

/**
 * One score condition: traces with at least one score named `name` whose value lies in
 * [min, max). "Low-confidence answers" is `{ name: "confidence", max: 0.5 }`, so a
 * project-level "low confidence" setting maps onto this filter without new code.
 */
export interface TScoreRange {
  name: string;
  /** Inclusive lower bound. */
  min?: number | undefined;
  /** Exclusive upper bound ("below x"). */
  max?: number | undefined;
}

export interface TMetadataMatch {
  key: string;
  value: string;
}

export type TTraceStatus = "error" | "ok";
export type TFeedbackPolarity = "positive" | "negative";

/** Every condition a trace list can combine; all present conditions must hold. */
export interface TTraceFilter {
  projectId: string;
  from: Date;
  to: Date;
  /** Exact trace name. */
  name?: string | undefined;
  /** Every tag must be present on the trace (semantic tags such as `domain:hr` are tags). */
  tags?: string[] | undefined;
  /** Every pair must be on some span of the trace. */
  metadata?: TMetadataMatch[] | undefined;
  userId?: string | undefined;
  sessionId?: string | undefined;
  environment?: string | undefined;
  release?: string | undefined;
  /** Any of these models was called in the trace. */
  models?: string[] | undefined;
  /** The trace has a span of any of these kinds. */
  kinds?: string[] | undefined;
  status?: TTraceStatus | undefined;
  minDurationMs?: number | undefined;
  maxDurationMs?: number | undefined;
  minCost?: number | undefined;
  maxCost?: number | undefined;
  /** Every range must hold (for its own score name). */
  scores?: TScoreRange[] | undefined;
  feedback?: TFeedbackPolarity | undefined;
  /**
   * The project's low-confidence definition (its rules, see `getLowConfidenceRules`): the
   * trace has a score matching any rule.
   */
  lowConfidence?: readonly TLowConfidenceRuleLike[] | undefined;
  /** The trace has a retrieval span whose best document score is below this value. */
  retrievalTopScoreBelow?: number | undefined;
  /** Case-insensitive substring of any span's input or output (text or messages). */
  search?: string | undefined;
}

/** Score names that carry end-user feedback (thumbs, ratings) rather than evaluations. */
export const FEEDBACK_SCORE_NAMES = ["feedback", "user_feedback", "user-feedback", "thumbs"] as const;

/**
 * Feedback polarity: a numeric value above 0 is positive (thumbs up = 1), 0 or below is
 * negative; a categorical score decides by its label.
 */
const FEEDBACK_POSITIVE = "(value > 0 OR (value IS NULL AND lower(label) IN ('positive', 'thumbs_up', 'up', 'good')))";
const FEEDBACK_NEGATIVE =
  "(value <= 0 OR (value IS NULL AND lower(label) IN ('negative', 'thumbs_down', 'down', 'bad')))";

/** Rollup expressions, shared by filters, sorting and the row shape of the list. */
export const TRACE_EXPRESSIONS = {
  traceStart: "min(start_time)",
  traceEnd: "max(end_time)",
  durationMs: "(toUnixTimestamp64Milli(max(end_time)) - toUnixTimestamp64Milli(min(start_time)))",
  name: "coalesce(anyLast(trace_name), anyLast(root_name), '')",
  spanCount: "uniqExactMerge(span_ids)",
  errorCount: "uniqExactMerge(error_span_ids)",
  totalTokens: "arraySum(mapValues(maxMapMerge(tokens)))",
  totalCost: "arraySum(mapValues(maxMapMerge(cost)))",
  userId: "anyLast(user_id)",
  sessionId: "anyLast(session_id)",
  environment: "anyLast(environment)",
  release: "anyLast(release)",
  tags: "groupUniqArrayArray(tags)",
  models: "groupUniqArrayArray(models)",
} as const;

const ROW_COLUMNS = {
  userId: "user_id",
  sessionId: "session_id",
  environment: "environment",
  release: "release",
} as const;

export interface TTraceFilterSql {
  /** Conditions on `traces` rows before grouping (project, day range, trace-id subqueries). */
  where: string[];
  /** Conditions on the merged trace. */
  having: string[];
  params: Record<string, unknown>;
}

/** Escapes LIKE wildcards so a search for `50%` finds the literal text. */
const toLikePattern = (text: string): string => `%${text.toLowerCase().replace(/[\\%_]/g, (char) => `\\${char}`)}%`;

/**
 * Translates a filter to SQL fragments with bound parameters only. Conditions on values
 * the rollup carries go to HAVING; conditions on span payloads, scores and feedback
 * become `trace_id IN (…)` subqueries, each scoped to the project (and, for spans, to the
 * time window's days so the primary key prunes).
 */
export function buildTraceFilterSql(filter: TTraceFilter): TTraceFilterSql {
  const params: Record<string, unknown> = {
    projectId: filter.projectId,
    from: toClickHouseTime(filter.from.getTime()),
    to: toClickHouseTime(filter.to.getTime()),
  };
  const where = [
    "project_id = {projectId:String}",
    // A day of slack on each side: a trace whose spans cross midnight has rows on two days,
    // and every row of a trace that starts in the window must be merged.
    "day >= toDate({from:DateTime64(3)}) - 1 AND day <= toDate({to:DateTime64(3)}) + 1",
  ];
  const e = TRACE_EXPRESSIONS;
  const having = [`${e.traceStart} >= {from:DateTime64(3)}`, `${e.traceStart} < {to:DateTime64(3)}`];
  const spanScope = `project_id = {projectId:String}
      AND toDate(start_time) >= toDate({from:DateTime64(3)}) - 1 AND toDate(start_time) <= toDate({to:DateTime64(3)}) + 1`;
  const spanSubquery = (condition: string) =>
    `trace_id IN (SELECT trace_id FROM spans WHERE ${spanScope} AND ${condition})`;
  // A trace matches a rollup condition only if one of its rows does, so each condition
  // also narrows the rows to group to the traces that have such a row: grouping (with its
  // array and map states) is the expensive step, a row scan of a few columns is not.
  const rowSubquery = (condition: string) =>
    `trace_id IN (SELECT trace_id FROM traces WHERE ${where[0]} AND ${where[1]} AND ${condition})`;
  // The window's trace ids: the row holding each trace's start lies in the window.
  const windowTraces = `SELECT trace_id FROM traces WHERE ${where[0]} AND ${where[1]}
      AND start_time >= {from:DateTime64(3)} AND start_time < {to:DateTime64(3)}`;
  // FINAL so an updated or deleted score never matches through a version merges have not
  // folded yet. PREWHERE on key columns is safe under FINAL (every version of a score
  // shares them) and lets it merge only the window's traces' scores (140 → 100 ms on
  // 1.1M scores in the benchmark).
  const scoreSubquery = (condition: string) =>
    `trace_id IN (SELECT trace_id FROM scores FINAL
      PREWHERE project_id = {projectId:String} AND trace_id IN (${windowTraces})
      WHERE is_deleted = 0 AND ${condition})`;

  where.push(`trace_id IN (${windowTraces})`);
  if (filter.name) {
    where.push(rowSubquery("(trace_name = {name:String} OR root_name = {name:String})"));
    having.push(`${e.name} = {name:String}`);
    params.name = filter.name;
  }
  if (filter.tags && filter.tags.length > 0) {
    where.push(rowSubquery("hasAny(tags, {tags:Array(String)})"));
    having.push(`hasAll(${e.tags}, {tags:Array(String)})`);
    params.tags = filter.tags;
  }
  for (const [key, column] of [
    ["userId", e.userId],
    ["sessionId", e.sessionId],
    ["environment", e.environment],
    ["release", e.release],
  ] as const) {
    const value = filter[key];
    if (value) {
      where.push(rowSubquery(`${ROW_COLUMNS[key]} = {${key}:String}`));
      having.push(`${column} = {${key}:String}`);
      params[key] = value;
    }
  }
  if (filter.models && filter.models.length > 0) {
    where.push(rowSubquery("hasAny(models, {models:Array(String)})"));
    having.push(`hasAny(${e.models}, {models:Array(String)})`);
    params.models = filter.models;
  }
  if (filter.status === "error") having.push(`${e.errorCount} > 0`);
  if (filter.status === "ok") having.push(`${e.errorCount} = 0`);
  const ranges = [
    ["minDurationMs", `${e.durationMs} >= {minDurationMs:Float64}`],
    ["maxDurationMs", `${e.durationMs} <= {maxDurationMs:Float64}`],
    ["minCost", `${e.totalCost} >= {minCost:Float64}`],
    ["maxCost", `${e.totalCost} <= {maxCost:Float64}`],
  ] as const;
  for (const [key, condition] of ranges) {
    const value = filter[key];
    if (value !== undefined) {
      having.push(condition);
      params[key] = value;
    }
  }

  if (filter.kinds && filter.kinds.length > 0) {
    where.push(spanSubquery("kind IN {kinds:Array(String)}"));
    params.kinds = filter.kinds;
  }
  filter.metadata?.forEach((match, index) => {
    where.push(spanSubquery(`metadata[{metaKey${index}:String}] = {metaValue${index}:String}`));
    params[`metaKey${index}`] = match.key;
    params[`metaValue${index}`] = match.value;
  });
  if (filter.retrievalTopScoreBelow !== undefined) {
    where.push(spanSubquery("kind = 'retrieval' AND retrieval_top_score < {retrievalTopScoreBelow:Float64}"));
    params.retrievalTopScoreBelow = filter.retrievalTopScoreBelow;
  }
  if (filter.search) {
    const columns = ["input", "output", "input_messages", "output_messages"];
    where.push(spanSubquery(`(${columns.map((column) => `lower(${column}) LIKE {search:String}`).join(" OR ")})`));
    params.search = toLikePattern(filter.search);
  }
  filter.scores?.forEach((range, index) => {
    const conditions = [`name = {scoreName${index}:String}`, "value IS NOT NULL"];
    params[`scoreName${index}`] = range.name;
    if (range.min !== undefined) {
      conditions.push(`value >= {scoreMin${index}:Float64}`);
      params[`scoreMin${index}`] = range.min;
    }
    if (range.max !== undefined) {
      conditions.push(`value < {scoreMax${index}:Float64}`);
      params[`scoreMax${index}`] = range.max;
    }
    where.push(scoreSubquery(conditions.join(" AND ")));
  });
  if (filter.lowConfidence && filter.lowConfidence.length > 0) {
    const condition = lowConfidenceScoreCondition(filter.lowConfidence);
    Object.assign(params, condition.params);
    where.push(scoreSubquery(`value IS NOT NULL AND ${condition.sql}`));
  }
  if (filter.feedback) {
    where.push(
      scoreSubquery(
        `name IN {feedbackNames:Array(String)} AND ${filter.feedback === "positive" ? FEEDBACK_POSITIVE : FEEDBACK_NEGATIVE}`,
      ),
    );
    params.feedbackNames = [...FEEDBACK_SCORE_NAMES];
  }
  return { where, having, params };
}
