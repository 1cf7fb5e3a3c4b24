import { encodeRows, type TBatchWriter, type TIngestRequestRow, toClickHouseTime } from "@spanlens/clickhouse";
import { childLogger, ZOtlpIngestJob } from "@spanlens/core";
import { type Job, UnrecoverableError } from "bullmq";
import type { TIngestEncoder } from "./ingest-encoder.js";

const log = childLogger("otlp-ingest-processor");

export interface TOtlpIngestWriters {
  spans: TBatchWriter;
  scores: TBatchWriter;
  ingestRequests: TBatchWriter;
}

/**
 * Turns one accepted OTLP request into rows and resolves only once the batch holding
 * them is in ClickHouse, so BullMQ completes the job after the data is durable. A crash
 * before that leaves the job to be redelivered; rows written twice collapse by key.
 */
export function createOtlpIngestProcessor(
  writers: TOtlpIngestWriters,
  encoder: TIngestEncoder,
  hooks: { onTracesStored?: (projectId: string, traceIds: string[]) => Promise<void> } = {},
) {
  return async function otlpIngestProcessor(bullJob: Job): Promise<{ spans: number; scores: number }> {
    const parsed = ZOtlpIngestJob.safeParse(bullJob.data);
    if (!parsed.success) throw new UnrecoverableError(`invalid job payload: ${parsed.error.message}`);
    const job = parsed.data;
    const encoded = await encoder.encode(job);
    const spans = encoded.spans?.rows ?? 0;
    const scores = encoded.scores?.rows ?? 0;
    const requestRow: TIngestRequestRow = {
      project_id: job.projectId,
      request_id: job.requestId,
      received_at: toClickHouseTime(job.receivedAt),
      span_count: spans,
      bytes: encoded.bytes,
    };
    await Promise.all([
      writers.spans.write(encoded.spans),
      writers.scores.write(encoded.scores),
      writers.ingestRequests.write(encodeRows([requestRow])),
    ]);
    log.debug({ requestId: job.requestId, spans, scores }, "stored");
    if (hooks.onTracesStored && encoded.traceIds.length > 0) {
      await hooks.onTracesStored(job.projectId, encoded.traceIds);
    }
    return { spans, scores };
  };
}
