-- Scores from the public API, annotation and evaluators carry more than OTLP records:
-- free-form metadata, the score config that validated them, the evaluator that produced
-- them and, for LLM judges, the trace of the judge call itself. Added columns only, so
-- readers of 0004's columns are unaffected.
ALTER TABLE scores ON CLUSTER {cluster}
    ADD COLUMN IF NOT EXISTS metadata Map(String, String) AFTER evaluator_version;

ALTER TABLE scores ON CLUSTER {cluster}
    ADD COLUMN IF NOT EXISTS config_id String AFTER metadata;

ALTER TABLE scores ON CLUSTER {cluster}
    ADD COLUMN IF NOT EXISTS evaluator_id String AFTER config_id;

ALTER TABLE scores ON CLUSTER {cluster}
    ADD COLUMN IF NOT EXISTS judge_trace_id String AFTER evaluator_id;

-- Session-level scores have no trace id; lists filtered by session or id skip granules.
ALTER TABLE scores ON CLUSTER {cluster}
    ADD INDEX IF NOT EXISTS idx_session_id session_id TYPE bloom_filter(0.01) GRANULARITY 4;

ALTER TABLE scores ON CLUSTER {cluster}
    ADD INDEX IF NOT EXISTS idx_id id TYPE bloom_filter(0.01) GRANULARITY 4;
