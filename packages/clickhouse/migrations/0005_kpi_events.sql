-- Business KPI events (conversion, ticket_resolved, csat, revenue, ...) linked to a
-- trace, session and/or user.
--
-- Keys: ORDER BY (project_id, name, timestamp, id): dashboards read one KPI over a time
-- window; links are resolved by joining on trace/session/user at query time, so an
-- event that arrives before its trace links as soon as the trace exists.
CREATE TABLE IF NOT EXISTS kpi_events ON CLUSTER {cluster}
(
    project_id LowCardinality(String),
    id         String,
    name       LowCardinality(String),
    value      Float64,
    trace_id   String,
    session_id String,
    user_id    String,
    metadata   Map(String, String),
    timestamp  DateTime64(3, 'UTC'),
    ingested_at DateTime64(3, 'UTC') DEFAULT now64(3),
    INDEX idx_trace_id trace_id TYPE bloom_filter(0.01) GRANULARITY 4
)
ENGINE = ReplacingMergeTree(ingested_at)
PARTITION BY toYYYYMM(timestamp)
ORDER BY (project_id, name, timestamp, id);
