-- One row per span, normalized from every supported convention.
--
-- Keys: ORDER BY (project_id, toDate(start_time), trace_id, span_id). Every query is
-- scoped to one project and nearly every list reads a time window, so those lead; within
-- a day, a trace's spans sit together for the trace view. The same columns are the
-- ReplacingMergeTree identity: a redelivered request (worker crash after insert, client
-- retry) writes the same (project, day, trace, span) again and collapses to one row,
-- keeping the newest `ingested_at`. Readers use FINAL (or group by span_id) so
-- duplicates that merges have not collapsed yet are never counted.
-- Partitions are monthly: a day-sized partition would create too many parts on a busy
-- project, and retention drops whole months.
-- Payload columns (input, output, messages, documents, attributes) compress with ZSTD;
-- they are read only for the trace view, never for lists.
CREATE TABLE IF NOT EXISTS spans ON CLUSTER {cluster}
(
    project_id          LowCardinality(String),
    trace_id            String,
    span_id             String,
    parent_span_id      String,
    start_time          DateTime64(3, 'UTC'),
    end_time            DateTime64(3, 'UTC'),
    duration_ms         Float64,
    name                String,
    kind                LowCardinality(String),
    otel_kind           LowCardinality(String),
    scope_name          LowCardinality(String),
    scope_version       LowCardinality(String),
    trace_name          String,
    provider            LowCardinality(String),
    model               LowCardinality(String),
    model_parameters    String CODEC(ZSTD(3)),
    input               String CODEC(ZSTD(3)),
    output              String CODEC(ZSTD(3)),
    input_messages      String CODEC(ZSTD(3)),
    output_messages     String CODEC(ZSTD(3)),
    tool_calls          String CODEC(ZSTD(3)),
    retrieval_query     String CODEC(ZSTD(3)),
    retrieved_documents String CODEC(ZSTD(3)),
    reranked_documents  String CODEC(ZSTD(3)),
    -- Best retrieval score on the span, so "top score below X" filters need no JSON parsing.
    retrieval_top_score Nullable(Float64),
    prompt_name         String,
    prompt_version      String,
    prompt_template     String CODEC(ZSTD(3)),
    prompt_variables    String CODEC(ZSTD(3)),
    input_tokens        UInt64,
    output_tokens       UInt64,
    total_tokens        UInt64,
    cache_read_tokens   UInt64,
    cache_write_tokens  UInt64,
    reasoning_tokens    UInt64,
    -- Set on spans whose usage rolls up their children (agent, chain, Vercel ai.generateText):
    -- trace totals skip them so tokens and cost are not counted twice.
    usage_is_aggregate  UInt8,
    cost_input          Float64,
    cost_output         Float64,
    cost_cache_read     Float64,
    cost_cache_write    Float64,
    cost_reasoning      Float64,
    cost_total          Float64,
    cost_source         LowCardinality(String),
    price_version       LowCardinality(String),
    session_id          String,
    user_id             String,
    tags                Array(String),
    metadata            Map(String, String) CODEC(ZSTD(3)),
    environment         LowCardinality(String),
    release             String,
    service_name        LowCardinality(String),
    status_code         LowCardinality(String),
    status_message      String,
    error_type          String,
    error_message       String CODEC(ZSTD(3)),
    error_stacktrace    String CODEC(ZSTD(3)),
    events              String CODEC(ZSTD(3)),
    links               String CODEC(ZSTD(3)),
    attributes          Map(String, String) CODEC(ZSTD(3)),
    resource_attributes Map(String, String) CODEC(ZSTD(3)),
    conventions         Array(LowCardinality(String)),
    scores              String CODEC(ZSTD(3)),
    ingested_at         DateTime64(3, 'UTC') DEFAULT now64(3),
    -- Trace lookups without a time window (trace view by id) prune granules by bloom filter.
    INDEX idx_trace_id trace_id TYPE bloom_filter(0.001) GRANULARITY 1,
    INDEX idx_user_id user_id TYPE bloom_filter(0.01) GRANULARITY 4,
    INDEX idx_session_id session_id TYPE bloom_filter(0.01) GRANULARITY 4,
    INDEX idx_tags tags TYPE bloom_filter(0.01) GRANULARITY 4
)
ENGINE = ReplacingMergeTree(ingested_at)
PARTITION BY toYYYYMM(start_time)
ORDER BY (project_id, toDate(start_time), trace_id, span_id);
