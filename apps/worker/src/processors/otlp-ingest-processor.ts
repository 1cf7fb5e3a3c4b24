import {
  type TBatchWriter,
  type TIngestRequestRow,
  type TScoreRow,
  type TSpanRow,
  toClickHouseTime,
  toScoreRow,
  toSpanRow,
} from "@spanlens/clickhouse";
import {
  childLogger,
  normalizeEvaluationLog,
  normalizeSpan,
  type TOtlpIngestJob,
  ZOtlpIngestJob,
} from "@spanlens/core";
import { decodeLogs, decodeTraces, decompressBody } from "@spanlens/otlp";
import { type Job, UnrecoverableError } from "bullmq";

const log = childLogger("otlp-ingest-processor");

export interface TOtlpIngestWriters {
  spans: TBatchWriter<TSpanRow>;
  scores: TBatchWriter<TScoreRow>;
  ingestRequests: TBatchWriter<TIngestRequestRow>;
}

/**
 * Turns one accepted OTLP request into rows and resolves only once the batch holding
 * them is in ClickHouse, so BullMQ completes the job after the data is durable. A crash
 * before that leaves the job to be redelivered; rows written twice collapse by key.
 */
export function createOtlpIngestProcessor(
  writers: TOtlpIngestWriters,
  hooks: { onTracesStored?: (projectId: string, traceIds: string[]) => Promise<void> } = {},
) {
  return async function otlpIngestProcessor(bullJob: Job): Promise<{ spans: number; scores: number }> {
    const parsed = ZOtlpIngestJob.safeParse(bullJob.data);
    if (!parsed.success) throw new UnrecoverableError(`invalid job payload: ${parsed.error.message}`);
    const job = parsed.data;
    const body = await decompressBody(Buffer.from(job.body, "base64"), job.compression);
    const { spanRows, scoreRows } = toRows(job, body);
    const requestRow: TIngestRequestRow = {
      project_id: job.projectId,
      request_id: job.requestId,
      received_at: toClickHouseTime(job.receivedAt),
      span_count: spanRows.length,
      bytes: body.length,
    };
    await Promise.all([
      writers.spans.write(spanRows),
      writers.scores.write(scoreRows),
      writers.ingestRequests.write([requestRow]),
    ]);
    log.debug({ requestId: job.requestId, spans: spanRows.length, scores: scoreRows.length }, "stored");
    if (hooks.onTracesStored && spanRows.length > 0) {
      await hooks.onTracesStored(job.projectId, [...new Set(spanRows.map((row) => row.trace_id))]);
    }
    return { spans: spanRows.length, scores: scoreRows.length };
  };
}

function toRows(job: TOtlpIngestJob, body: Buffer): { spanRows: TSpanRow[]; scoreRows: TScoreRow[] } {
  const spanRows: TSpanRow[] = [];
  const scoreRows: TScoreRow[] = [];
  if (job.signal === "traces") {
    for (const otlpSpan of decodeTraces(body, job.encoding).spans) {
      const span = normalizeSpan(otlpSpan);
      spanRows.push(toSpanRow(job.projectId, span));
      for (const score of span.scores) scoreRows.push(toScoreRow(job.projectId, score, span.endTime));
    }
  } else {
    for (const record of decodeLogs(body, job.encoding).logRecords) {
      const score = normalizeEvaluationLog(record);
      if (!score) continue;
      const nanos = record.timeUnixNano !== "0" ? record.timeUnixNano : record.observedTimeUnixNano;
      const timestampMs = nanos !== "0" ? Number(BigInt(nanos) / 1_000_000n) : job.receivedAt;
      scoreRows.push(toScoreRow(job.projectId, score, timestampMs));
    }
  }
  return { spanRows, scoreRows };
}
