-- Scores: user feedback, human annotations, evaluator results and OTLP
-- `gen_ai.evaluation.result` records, one model for all sources.
--
-- Keys: ORDER BY (project_id, trace_id, id): scores are read per trace (trace view) or
-- joined to traces by id; `id` is client-supplied or derived, so a redelivered or
-- retried score collapses to one row (ReplacingMergeTree on `updated_at`).
-- `is_deleted` lets deletes replace the row instead of mutating parts.
CREATE TABLE IF NOT EXISTS scores ON CLUSTER {cluster}
(
    project_id        LowCardinality(String),
    id                String,
    trace_id          String,
    span_id           String,
    session_id        String,
    name              LowCardinality(String),
    value             Nullable(Float64),
    string_value      String,
    data_type         LowCardinality(String),
    label             String,
    comment           String CODEC(ZSTD(3)),
    source            LowCardinality(String),
    author            String,
    evaluator_version String,
    timestamp         DateTime64(3, 'UTC'),
    updated_at        DateTime64(3, 'UTC') DEFAULT now64(3),
    is_deleted        UInt8 DEFAULT 0,
    INDEX idx_name name TYPE set(256) GRANULARITY 4
)
ENGINE = ReplacingMergeTree(updated_at)
PARTITION BY toYYYYMM(timestamp)
ORDER BY (project_id, trace_id, id);
