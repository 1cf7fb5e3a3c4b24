-- One row per stored OTLP export request, for usage metering. It replaces `ingest_requests`.
--
-- `ingest_requests` is keyed by (project_id, request_id) alone, so a usage window had to
-- read every row the project ever sent, and a retry kept the retry's receive time, which
-- moved a request sent just before UTC midnight to the next day.
--
-- Keys: ORDER BY (project_id, request_id) is still the identity: a job run again after a
-- worker crash, and an exporter's retry of the same bytes (the request id is the body's
-- hash), write the same key again. AggregatingMergeTree folds those rows into one during
-- merges, keeping the earliest `received_at` (SimpleAggregateFunction(min)), so a request
-- counts on the day it first arrived. Partitions are monthly by that time, which gives
-- every part a min/max of `received_at`: a usage window reads only the parts that overlap
-- it (and a day before it, where the first receipt of a retried request can be). Readers
-- group by (project_id, request_id) rather than use FINAL, which would switch that
-- pruning off; two rows of one request in different months meet there too.
CREATE TABLE IF NOT EXISTS ingest_receipts ON CLUSTER {cluster}
(
    project_id  String,
    request_id  String,
    received_at SimpleAggregateFunction(min, DateTime64(3, 'UTC')),
    span_count  SimpleAggregateFunction(any, UInt32),
    bytes       SimpleAggregateFunction(any, UInt64)
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(received_at)
ORDER BY (project_id, request_id);

-- Workers of the previous version still write `ingest_requests` until they are replaced
-- (a rolling upgrade): forward their rows. The view comes before the copy, so a row
-- written in between arrives twice and folds into one, like a retry. A later release
-- drops this view and the old table once no worker writes it.
CREATE MATERIALIZED VIEW IF NOT EXISTS ingest_requests_to_receipts ON CLUSTER {cluster}
TO ingest_receipts
AS SELECT project_id, request_id, received_at, span_count, bytes FROM ingest_requests;

-- Rows already stored. Running this again (a migration that failed after it) writes the
-- same keys again, which fold away.
INSERT INTO ingest_receipts (project_id, request_id, received_at, span_count, bytes)
SELECT project_id, request_id, received_at, span_count, bytes FROM ingest_requests;
