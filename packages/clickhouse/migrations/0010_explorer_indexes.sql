-- Skip indexes for the trace explorer's span-level filters.
--
-- "Has a span of kind X" and "has a retrieval whose top score is below X" run as
-- `trace_id IN (SELECT trace_id FROM spans WHERE …)` subqueries inside the window's days.
-- A set index on `kind` lets granules without tool/retrieval/… spans be skipped, and a
-- minmax index on `retrieval_top_score` skips granules whose retrievals all scored high
-- (or that hold no retrieval at all: the column is NULL there). Both are tiny next to the
-- payload columns and cost nothing measurable at insert.
ALTER TABLE spans ON CLUSTER {cluster}
    ADD INDEX IF NOT EXISTS idx_kind kind TYPE set(32) GRANULARITY 4;

ALTER TABLE spans ON CLUSTER {cluster}
    ADD INDEX IF NOT EXISTS idx_retrieval_top_score retrieval_top_score TYPE minmax GRANULARITY 4;
