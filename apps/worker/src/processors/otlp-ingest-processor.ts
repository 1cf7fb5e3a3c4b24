import { encodeRows, type TBatchWriter, type TIngestRequestRow, toClickHouseTime } from "@spanlens/clickhouse";
import { childLogger, type TOtlpIngestJob, ZOtlpIngestJob } from "@spanlens/core";
import { getRedis } from "@spanlens/queue";
import { type Job, UnrecoverableError } from "bullmq";
import type { TIngestEncoder } from "./ingest-encoder.js";

const log = childLogger("otlp-ingest-processor");

export interface TOtlpIngestWriters {
  spans: TBatchWriter;
  scores: TBatchWriter;
  ingestRequests: TBatchWriter;
}

/** Where request bodies wait in Redis (see `otlpBodyKey`); replaceable in tests. */
export interface TOtlpBodyStore {
  get(key: string): Promise<Buffer | null>;
  remove(key: string): Promise<void>;
}

const redisBodies: TOtlpBodyStore = {
  get: (key) => getRedis().getBuffer(key),
  remove: async (key) => {
    await getRedis().unlink(key);
  },
};

/**
 * Turns one accepted OTLP request into rows and resolves only once the batch holding
 * them is in ClickHouse, so BullMQ completes the job after the data is durable. A crash
 * before that leaves the job to be redelivered; rows written twice collapse by key.
 *
 * The body is deleted after its rows are stored and before the job completes. A job
 * whose body is gone was therefore stored already (a crash between the two), or its
 * request was answered with an error (the body write failed, so the client retries):
 * either way it completes without rows.
 */
export function createOtlpIngestProcessor(
  writers: TOtlpIngestWriters,
  encoder: TIngestEncoder,
  hooks: { onTracesStored?: (projectId: string, traceIds: string[]) => Promise<void> } = {},
  bodies: TOtlpBodyStore = redisBodies,
) {
  return async function otlpIngestProcessor(bullJob: Job): Promise<{ spans: number; scores: number }> {
    const parsed = ZOtlpIngestJob.safeParse(bullJob.data);
    if (!parsed.success) throw new UnrecoverableError(`invalid job payload: ${parsed.error.message}`);
    const job = parsed.data;
    const body = await readBody(job, bodies);
    if (!body) {
      log.warn(
        { requestId: job.requestId, bodyKey: job.bodyKey },
        "request body is gone: its rows were stored before a restart, or the request was refused",
      );
      return { spans: 0, scores: 0 };
    }
    const encoded = await encoder.encode({
      projectId: job.projectId,
      signal: job.signal,
      encoding: job.encoding,
      compression: job.compression,
      receivedAt: job.receivedAt,
      body,
    });
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
    // A failed delete leaves the body to its expiry; the job is stored either way.
    if (job.bodyKey)
      await bodies.remove(job.bodyKey).catch((error: unknown) => log.warn({ err: error }, "body delete failed"));
    log.debug({ requestId: job.requestId, spans, scores }, "stored");
    if (hooks.onTracesStored && encoded.traceIds.length > 0) {
      await hooks.onTracesStored(job.projectId, encoded.traceIds);
    }
    return { spans, scores };
  };
}

function readBody(job: TOtlpIngestJob, bodies: TOtlpBodyStore): Promise<Buffer | null> {
  if (job.bodyKey !== undefined) return bodies.get(job.bodyKey);
  return Promise.resolve(job.body === undefined ? null : Buffer.from(job.body, "base64"));
}
