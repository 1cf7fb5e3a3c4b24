-- Fewer rewrites of each span by background merges.
--
-- Every insert writes a part, and the merge selector merges parts so that each row is
-- rewritten a number of times that grows with the logarithm of the parts its partition
-- has seen; each rewrite of a span decompresses and recompresses its ZSTD payload columns.
-- `merge_selector_base` (5 by default) is that logarithm's base: at 10 the selector waits
-- for wider sets of parts of similar size and merges them at once, so a span is rewritten
-- less often, for a few more parts standing between merges. Measured under sustained
-- ingest in docs/benchmarks.md (run 39): about a quarter fewer rows merged per span.
ALTER TABLE spans ON CLUSTER {cluster}
    MODIFY SETTING merge_selector_base = 10;
