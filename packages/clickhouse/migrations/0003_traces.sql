-- Per-trace rollup for fast trace lists, fed by a materialized view on spans.
--
-- Spans of one trace arrive in any order, across requests minutes apart, and may be
-- redelivered; every column therefore uses an aggregate that is order-independent and
-- idempotent: min/max for times, uniqExact over span ids for counts, and maxMap keyed by
-- span id for tokens and cost (a redelivered span repeats its own value, so the max is
-- unchanged, where a plain sum would double it). Readers GROUP BY trace_id with the
-- -Merge combinators, so unmerged parts never show a trace twice.
--
-- Keys: ORDER BY (project_id, day, trace_id) mirrors spans: one project, a time window,
-- then the trace. `day` is each span's own day; a trace crossing midnight has two rows
-- that the readers' GROUP BY folds together.
CREATE TABLE IF NOT EXISTS traces ON CLUSTER {cluster}
(
    project_id      LowCardinality(String),
    day             Date,
    trace_id        String,
    start_time      SimpleAggregateFunction(min, DateTime64(3, 'UTC')),
    end_time        SimpleAggregateFunction(max, DateTime64(3, 'UTC')),
    root_name       SimpleAggregateFunction(anyLast, Nullable(String)),
    trace_name      SimpleAggregateFunction(anyLast, Nullable(String)),
    user_id         SimpleAggregateFunction(anyLast, Nullable(String)),
    session_id      SimpleAggregateFunction(anyLast, Nullable(String)),
    environment     SimpleAggregateFunction(anyLast, Nullable(String)),
    release         SimpleAggregateFunction(anyLast, Nullable(String)),
    tags            SimpleAggregateFunction(groupUniqArrayArray, Array(String)),
    models          SimpleAggregateFunction(groupUniqArrayArray, Array(String)),
    span_ids        AggregateFunction(uniqExact, String),
    error_span_ids  AggregateFunction(uniqExact, Nullable(String)),
    tokens          AggregateFunction(maxMap, Map(String, UInt64)),
    cost            AggregateFunction(maxMap, Map(String, Float64)),
    INDEX idx_trace_id trace_id TYPE bloom_filter(0.001) GRANULARITY 1
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(day)
ORDER BY (project_id, day, trace_id);

CREATE MATERIALIZED VIEW IF NOT EXISTS traces_mv ON CLUSTER {cluster} TO traces AS
SELECT
    project_id,
    toDate(s.start_time) AS day,
    trace_id,
    min(s.start_time) AS start_time,
    max(s.end_time) AS end_time,
    anyLastIf(toNullable(name), parent_span_id = '') AS root_name,
    anyLastIf(toNullable(trace_name), trace_name != '') AS trace_name,
    anyLastIf(toNullable(user_id), user_id != '') AS user_id,
    anyLastIf(toNullable(session_id), session_id != '') AS session_id,
    anyLastIf(toNullable(toString(environment)), environment != '') AS environment,
    anyLastIf(toNullable(release), release != '') AS release,
    groupUniqArrayArray(tags) AS tags,
    groupUniqArrayIf(toString(model), model != '') AS models,
    uniqExactState(span_id) AS span_ids,
    uniqExactState(if(status_code = 'error', toNullable(span_id), NULL)) AS error_span_ids,
    maxMapState(map(span_id, if(usage_is_aggregate = 1, 0, total_tokens))) AS tokens,
    maxMapState(map(span_id, if(usage_is_aggregate = 1, 0, cost_total))) AS cost
FROM spans AS s
GROUP BY project_id, day, trace_id;
