-- Why an online evaluator did or did not score a trace: one row per (evaluator, trace)
-- decision, so "this evaluator never fires" is answered by counting decisions and
-- reasons (filter mismatch by field, sampled out, scored, failed).
--
-- Keys: ORDER BY (project_id, evaluator_id, trace_id): the explain view reads one
-- evaluator's decisions; a re-evaluated trace (spans arriving later) replaces its
-- decision (ReplacingMergeTree on decided_at). Rows expire after 30 days: they explain
-- recent behaviour, scores themselves live in `scores`.
CREATE TABLE IF NOT EXISTS evaluation_decisions ON CLUSTER {cluster}
(
    project_id   LowCardinality(String),
    evaluator_id String,
    trace_id     String,
    decision     LowCardinality(String),
    reason       String,
    decided_at   DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(decided_at)
PARTITION BY toYYYYMM(decided_at)
ORDER BY (project_id, evaluator_id, trace_id)
TTL toDateTime(decided_at) + INTERVAL 30 DAY;
