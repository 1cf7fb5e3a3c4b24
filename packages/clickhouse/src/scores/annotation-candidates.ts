import type { ClickHouseClient } from "@clickhouse/client";
import { toClickHouseTime } from "../spans/span-row.js";

export interface TAnnotationCandidateFilter {
  projectId: string;
  from: Date;
  traceName?: string | undefined;
  tags?: string[] | undefined;
  /** Traces with a live score of this name whose value compares so: "all negative feedback". */
  score?: { name: string; operator: "lt" | "lte" | "eq" | "gte" | "gt"; value: number } | undefined;
  /** The reviewer: a trace is done for them once they gave every one of `scoreNames` as an annotation. */
  author: string;
  scoreNames: string[];
  limit: number;
}

export interface TAnnotationCandidate {
  traceId: string;
  name: string;
  startTime: string;
  isDone: boolean;
}

const OPERATORS = { lt: "<", lte: "<=", eq: "=", gte: ">=", gt: ">" } as const;

/**
 * The traces an annotation queue walks through, newest first, each marked done when this
 * reviewer has annotated all of the queue's score names on it. Computed on read from the
 * rollup and the scores table, so a queue needs no item table and never goes stale.
 */
export async function listAnnotationCandidates(
  client: ClickHouseClient,
  filter: TAnnotationCandidateFilter,
): Promise<TAnnotationCandidate[]> {
  const having = ["trace_start >= {from:DateTime64(3)}"];
  const params: Record<string, unknown> = {
    projectId: filter.projectId,
    from: toClickHouseTime(filter.from.getTime()),
    author: filter.author,
    scoreNames: filter.scoreNames,
    scoreNameCount: new Set(filter.scoreNames).size,
    limit: filter.limit,
  };
  if (filter.traceName) {
    having.push("name = {traceName:String}");
    params.traceName = filter.traceName;
  }
  if (filter.tags && filter.tags.length > 0) {
    having.push("hasAll(tags, {tags:Array(String)})");
    params.tags = filter.tags;
  }
  if (filter.score) {
    having.push(`trace_id IN (SELECT trace_id FROM scores FINAL
      WHERE project_id = {projectId:String} AND is_deleted = 0 AND name = {filterScoreName:String}
        AND value ${OPERATORS[filter.score.operator]} {filterScoreValue:Float64})`);
    params.filterScoreName = filter.score.name;
    params.filterScoreValue = filter.score.value;
  }
  const result = await client.query({
    query: `
      SELECT
        trace_id,
        min(start_time) AS trace_start,
        coalesce(anyLast(trace_name), anyLast(root_name), '') AS name,
        groupUniqArrayArray(tags) AS tags,
        trace_id IN (
          SELECT trace_id FROM scores FINAL
          WHERE project_id = {projectId:String} AND is_deleted = 0 AND source = 'annotation'
            AND author = {author:String} AND name IN {scoreNames:Array(String)}
          GROUP BY trace_id
          HAVING uniqExact(name) = {scoreNameCount:UInt32}
        ) AS is_done
      FROM traces
      WHERE project_id = {projectId:String} AND day >= toDate({from:DateTime64(3)}) - 1
      GROUP BY trace_id
      HAVING ${having.join(" AND ")}
      ORDER BY trace_start DESC, trace_id DESC
      LIMIT {limit:UInt32}`,
    query_params: params,
    format: "JSONEachRow",
  });
  const rows = await result.json<{ trace_id: string; trace_start: string; name: string; is_done: number }>();
  return rows.map((row) => ({
    traceId: row.trace_id,
    name: row.name,
    startTime: new Date(Date.parse(`${row.trace_start.replace(" ", "T")}Z`)).toISOString(),
    isDone: Number(row.is_done) === 1,
  }));
}
