/**
 * Synthetic spans for the trace explorer benchmark, generated inside ClickHouse with
 * `INSERT … SELECT FROM numbers()`: no rows cross the client, so seeding 10M spans takes
 * minutes, not hours.
 *
 * Shape: traces of 10 spans (a chain root, a retrieval, generations and a tool call),
 * each trace starting at a hash-chosen instant in the last 30 days, so any number of
 * seeding rounds spreads evenly and a larger data set is denser per window, like a busier
 * project. Five `domain:*` tags, two environments, three models, 5,000 users, sessions of
 * four traces, 2% of traces with an error span, one `confidence` score per trace and
 * `user_feedback` on every tenth. Payload text is ~1 KB per generation span.
 */
import type { ClickHouseClient } from "../packages/clickhouse/src/index.js";

export const SPANS_PER_TRACE = 10;
export const WINDOW_DAYS = 30;

/** Inserts spans for traces [firstTrace, firstTrace + traceCount) and their scores. */
export async function generateTraces(
  client: ClickHouseClient,
  projectId: string,
  firstTrace: number,
  traceCount: number,
  nowMs: number,
): Promise<void> {
  const params = {
    projectId,
    first: firstTrace * SPANS_PER_TRACE,
    count: traceCount * SPANS_PER_TRACE,
    now: nowMs,
    windowMs: WINDOW_DAYS * 24 * 3600 * 1000,
  };
  await client.command({
    query: `
      INSERT INTO spans (project_id, trace_id, span_id, parent_span_id, start_time, end_time, duration_ms, name, kind,
        trace_name, provider, model, input, output, input_messages, retrieved_documents, retrieval_top_score,
        input_tokens, output_tokens, total_tokens, cost_total, session_id, user_id, tags, metadata, environment,
        release, service_name, status_code, error_type, error_message)
      SELECT
        {projectId:String},
        lower(hex(MD5(concat('trace-', toString(t))))) AS trace_id,
        substring(lower(hex(MD5(concat('span-', toString(number))))), 1, 16) AS span_id,
        if(s = 0, '', substring(lower(hex(MD5(concat('span-', toString(t * ${SPANS_PER_TRACE}))))), 1, 16)),
        fromUnixTimestamp64Milli(toInt64({now:Int64} - (cityHash64(t) % {windowMs:UInt64}) + s * 120), 'UTC') AS start,
        start + toIntervalMillisecond(dur),
        dur,
        ['answer_question', 'retrieve_documents', 'chat', 'chat', 'lookup_policy', 'chat', 'rerank', 'chat', 'chat', 'chat'][s + 1],
        ['chain', 'retrieval', 'generation', 'generation', 'tool', 'generation', 'rerank', 'generation', 'generation', 'generation'][s + 1] AS kind,
        if(s = 0, 'answer_question', ''),
        if(kind = 'generation', 'openai', ''),
        if(kind = 'generation', ['gpt-4o', 'gpt-4o-mini', 'claude-sonnet'][t % 3 + 1], ''),
        if(s = 0 OR kind = 'generation', concat('Question ', toString(t), ': ', repeat('what is the policy on parental leave? ', 8), hex(MD5(toString(number)))), ''),
        if(s = 0 OR kind = 'generation', concat('Answer ', toString(t), ': ', repeat('employees receive sixteen weeks. ', 8)), ''),
        if(kind = 'generation', concat('[{"role":"user","content":"question ', toString(t), '"}]'), ''),
        if(kind = 'retrieval', concat('[{"id":"doc-', toString(t % 997), '","content":"chunk","score":', toString((cityHash64(t, 'r') % 1000) / 1000), ',"metadata":{},"rank":0}]'), ''),
        if(kind = 'retrieval', (cityHash64(t, 'r') % 1000) / 1000, NULL),
        if(kind = 'generation', 500 + t % 300, 0) AS input_tokens,
        if(kind = 'generation', 100 + t % 50, 0) AS output_tokens,
        input_tokens + output_tokens,
        if(kind = 'generation', (input_tokens * 2.5 + output_tokens * 10) / 1000000, 0),
        concat('session-', toString(intDiv(t, 4))),
        concat('user-', toString(t % 5000)),
        if(s = 0, [concat('domain:', ['hr', 'finance', 'it', 'legal', 'sales'][t % 5 + 1])], []),
        if(s = 0, map('tenant', concat('tenant-', toString(t % 50))), map()),
        ['prod', 'staging'][t % 2 + 1],
        concat('v', toString(t % 7)),
        'rag-bot',
        if(s = 4 AND t % 50 = 0, 'error', 'unset'),
        if(s = 4 AND t % 50 = 0, 'TimeoutError', ''),
        if(s = 4 AND t % 50 = 0, 'policy service timed out', '')
      FROM (
        SELECT number, intDiv(number, ${SPANS_PER_TRACE}) AS t, number % ${SPANS_PER_TRACE} AS s,
               toFloat64(if(number % ${SPANS_PER_TRACE} = 0, 1000 + intDiv(number, ${SPANS_PER_TRACE}) % 4000, 20 + number % 97)) AS dur
        FROM numbers({first:UInt64}, {count:UInt64})
      )`,
    query_params: params,
  });
  await client.command({
    query: `
      INSERT INTO scores (project_id, id, trace_id, span_id, name, value, data_type, source, timestamp)
      SELECT {projectId:String}, concat(name, '-', toString(t)), lower(hex(MD5(concat('trace-', toString(t))))), '',
             name, value, 'numeric', 'api',
             fromUnixTimestamp64Milli(toInt64({now:Int64} - (cityHash64(t) % {windowMs:UInt64}) + 5000), 'UTC')
      FROM (
        SELECT number AS t, arrayJoin(if(number % 10 = 0,
                 [('confidence', (cityHash64(number, 'c') % 1000) / 1000), ('user_feedback', toFloat64(number % 20 = 0))],
                 [('confidence', (cityHash64(number, 'c') % 1000) / 1000)])) AS pair,
               pair.1 AS name, pair.2 AS value
        FROM numbers({firstTrace:UInt64}, {traceCount:UInt64})
      )`,
    query_params: { projectId, firstTrace, traceCount, now: nowMs, windowMs: params.windowMs },
  });
}

/**
 * One trace of `spanCount` spans (a root, 100 agent steps, the rest spread under them as
 * generations and tools), one hour before `nowMs`, for the big-trace measurements.
 */
export async function generateBigTrace(
  client: ClickHouseClient,
  projectId: string,
  traceId: string,
  spanCount: number,
  nowMs: number,
): Promise<void> {
  await client.command({
    query: `
      INSERT INTO spans (project_id, trace_id, span_id, parent_span_id, start_time, end_time, duration_ms, name, kind,
        trace_name, model, input, output, total_tokens, cost_total, user_id, tags, environment, status_code, error_type, error_message)
      SELECT {projectId:String}, {traceId:String},
        lower(lpad(hex(number + 1), 16, '0')),
        multiIf(number = 0, '', number <= 100, lower(lpad(hex(1), 16, '0')), lower(lpad(hex(2 + number % 100), 16, '0'))),
        fromUnixTimestamp64Milli(toInt64({now:Int64} - 3600000 + number * 5), 'UTC') AS start,
        start + toIntervalMillisecond(dur), dur,
        multiIf(number = 0, 'agent_run', number <= 100, concat('step ', toString(number)), number % 3 = 0, 'call_tool', 'chat'),
        multiIf(number = 0, 'agent', number <= 100, 'chain', number % 3 = 0, 'tool', 'generation'),
        if(number = 0, 'big_agent_run', ''),
        if(number > 100 AND number % 3 != 0, 'gpt-4o', ''),
        concat('input of span ', toString(number), ' ', repeat('context ', 100)),
        concat('output of span ', toString(number)),
        if(number > 100 AND number % 3 != 0, 700, 0), if(number > 100 AND number % 3 != 0, 0.002, 0),
        'user-big', ['domain:it'], 'prod',
        if(number = 7777, 'error', 'unset'), if(number = 7777, 'ToolError', ''), if(number = 7777, 'tool crashed', '')
      FROM (SELECT number, toFloat64(if(number = 0, {spanCount:UInt64} * 5 + 100, 40 + number % 60)) AS dur
            FROM numbers({spanCount:UInt64}))`,
    query_params: { projectId, traceId, spanCount, now: nowMs },
  });
}
