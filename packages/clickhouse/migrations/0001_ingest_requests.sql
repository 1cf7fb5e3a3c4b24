-- One row per OTLP export request the worker has written to ClickHouse.
-- The same request can arrive more than once: an exporter resends after a timeout, or
-- the queue redelivers a job after a worker crash before its acknowledgement. Keying on
-- (project_id, request_id) lets ReplacingMergeTree collapse those redeliveries into one
-- row during merges; readers that need exact numbers before a merge use FINAL.
-- Times are stored in UTC so reads do not depend on the server's time zone.
CREATE TABLE IF NOT EXISTS ingest_requests ON CLUSTER {cluster}
(
    project_id String,
    request_id String,
    received_at DateTime64(3, 'UTC'),
    span_count UInt32,
    bytes UInt64
)
ENGINE = ReplacingMergeTree
ORDER BY (project_id, request_id);
