import { encodeRows, type TBatchWriter, type TIngestRequestRow, toClickHouseTime } from "@spanlens/clickhouse";
import { childLogger, type TOtlpIngestJob, ZOtlpIngestJob } from "@spanlens/core";
import { getRedis, OTLP_BODY_TTL_SECONDS } from "@spanlens/queue";
import { type Job, UnrecoverableError } from "bullmq";
import { createByteBudget } from "./byte-budget.js";
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
 * either way it completes without rows. Past the body's expiry (a week from arrival) there
 * is a third cause: the body expired before any worker stored it (workers away that long,
 * or a failed job retried too late). Only then is the request's receipt looked up
 * (`wasStored`), and a job never stored fails for good, naming what was lost, instead of
 * completing as if it had been.
 *
 * Jobs in flight are bounded by count (BullMQ's concurrency) and by bytes: a job holds
 * its request's decompressed size (`job.bytes`) of `maxBytesInFlight` from before its body
 * is read until its rows are stored, since its body, decoded spans, encoded rows and
 * their share of a batch all scale with it. A few large requests then wait their turn
 * instead of pushing the process's memory up; a single request larger than the whole
 * budget runs alone.
 */
export function createOtlpIngestProcessor(
  writers: TOtlpIngestWriters,
  encoder: TIngestEncoder,
  options: {
    onTracesStored?: (projectId: string, traceIds: string[]) => Promise<void>;
    /** Decompressed request bytes in flight at once (default: unbounded). */
    maxBytesInFlight?: number;
    /**
     * Whether a request's receipt was written (`isIngestRequestStored`), asked only for a job
     * whose body is gone past its expiry. Without it such a job is taken as never stored.
     */
    wasStored?: (request: { projectId: string; requestId: string }) => Promise<boolean>;
  } = {},
  bodies: TOtlpBodyStore = redisBodies,
) {
  const budget = options.maxBytesInFlight ? createByteBudget(options.maxBytesInFlight) : null;
  const store = async (job: TOtlpIngestJob): Promise<{ spans: number; scores: number }> => {
    const body = await readBody(job, bodies);
    if (!body && job.bodyKey !== undefined && Date.now() - job.receivedAt >= OTLP_BODY_TTL_SECONDS * 1000) {
      const receiptId = job.contentId ?? job.requestId;
      if (!(await options.wasStored?.({ projectId: job.projectId, requestId: receiptId }))) {
        const received = new Date(job.receivedAt).toISOString();
        const days = OTLP_BODY_TTL_SECONDS / 86_400;
        log.error(
          { projectId: job.projectId, requestId: job.requestId, receivedAt: received },
          "request body expired before it was stored: its records are lost",
        );
        throw new UnrecoverableError(
          `the request's body expired before it was stored (bodies are kept ${days} days from arrival; this request arrived ${received}): its ${job.signal} are lost`,
        );
      }
    }
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
    if (encoded.keptAsSent.spans > 0) {
      log.warn(
        {
          projectId: job.projectId,
          requestId: job.requestId,
          spans: encoded.keptAsSent.spans,
          err: encoded.keptAsSent.firstError,
        },
        "spans kept as sent: normalizing them failed (their attributes hold spanlens.normalization_error)",
      );
    }
    const spans = encoded.spans?.rows ?? 0;
    const scores = encoded.scores?.rows ?? 0;
    const requestRow: TIngestRequestRow = {
      project_id: job.projectId,
      // A retried export (same bytes) lands on the same row; older jobs only have their own id.
      request_id: job.contentId ?? job.requestId,
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
    if (options.onTracesStored && encoded.traceIds.length > 0) {
      await options.onTracesStored(job.projectId, encoded.traceIds);
    }
    return { spans, scores };
  };
  return async function otlpIngestProcessor(bullJob: Job): Promise<{ spans: number; scores: number }> {
    const parsed = ZOtlpIngestJob.safeParse(bullJob.data);
    // Retried, not failed for good: during a rolling upgrade a newer receiver can queue a job
    // this worker cannot read (a new body compression), which an upgraded worker stores.
    if (!parsed.success) {
      throw new Error(
        `job payload this worker cannot read (queued by a newer receiver? upgrade the workers): ${parsed.error.issues
          .map((issue) => `${issue.path.join(".") || "job"}: ${issue.message}`)
          .join("; ")}`,
      );
    }
    const job = parsed.data;
    // Jobs queued before `bytes` existed (and empty bodies) are not counted.
    if (!budget || !job.bytes) return store(job);
    return budget.run(job.bytes, () => store(job));
  };
}

function readBody(job: TOtlpIngestJob, bodies: TOtlpBodyStore): Promise<Buffer | null> {
  if (job.bodyKey !== undefined) return bodies.get(job.bodyKey);
  return Promise.resolve(job.body === undefined ? null : Buffer.from(job.body, "base64"));
}
