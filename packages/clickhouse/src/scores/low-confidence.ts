/** One rule of a project's low-confidence definition (see `getLowConfidenceRules` in @spanlens/db). */
export interface TLowConfidenceRuleLike {
  scoreName: string;
  operator: "lt" | "lte" | "eq";
  threshold: number;
}

const LOW_CONFIDENCE_OPERATORS = { lt: "<", lte: "<=", eq: "=" } as const;

/**
 * The condition on `scores` rows that matches any rule (`name` and `value` columns), with
 * its parameters, prefixed so they never clash with the caller's. For embedding in a
 * scores subquery of the caller's own shape (the trace list scopes it to its window).
 */
export function lowConfidenceScoreCondition(rules: readonly TLowConfidenceRuleLike[]): {
  sql: string;
  params: Record<string, unknown>;
} {
  const params: Record<string, unknown> = {};
  const conditions = rules.map((rule, index) => {
    params[`lowConfidenceName${index}`] = rule.scoreName;
    params[`lowConfidenceThreshold${index}`] = rule.threshold;
    return `(name = {lowConfidenceName${index}:String} AND value ${LOW_CONFIDENCE_OPERATORS[rule.operator]} {lowConfidenceThreshold${index}:Float64})`;
  });
  return { sql: `(${conditions.join(" OR ")})`, params };
}

/**
 * A `trace_id IN (…)` condition selecting the project's low-confidence traces: those with
 * a live score matching any rule. Any query over traces or spans can add it to its WHERE
 * (with the returned parameters, which are prefixed so they never clash with the caller's).
 * Null when the project defines no rule.
 */
export function lowConfidenceTraceFilter(
  rules: readonly TLowConfidenceRuleLike[],
  options: { projectParam?: string; column?: string } = {},
): { sql: string; params: Record<string, unknown> } | null {
  if (rules.length === 0) return null;
  const projectParam = options.projectParam ?? "projectId";
  const column = options.column ?? "trace_id";
  const condition = lowConfidenceScoreCondition(rules);
  return {
    sql: `${column} IN (SELECT trace_id FROM scores FINAL
      WHERE project_id = {${projectParam}:String} AND is_deleted = 0 AND trace_id != '' AND ${condition.sql})`,
    params: condition.params,
  };
}
