import { encodeRows, type TBatchWriter, type TIngestRequestRow, toClickHouseTime } from "@spanlens/clickhouse";
import { childLogger, type TOtlpIngestJob, ZOtlpIngestJob } from "@spanlens/core";
import { getRedis, OTLP_BODY_TTL_SECONDS, runsApart } from "@spanlens/queue";
import { type Job, UnrecoverableError } from "bullmq";
import { createByteBudget } from "./byte-budget.js";
import { ENCODE_TIMEOUT_PREFIX, EncodeTimeoutError, type TIngestEncoder } from "./ingest-encoder.js";

const log = childLogger("otlp-ingest-processor");

/** A job whose body expired before any worker stored it: failed for good, as no retry can bring it back. */
export class BodyExpiredError extends UnrecoverableError {
  override readonly name = "UnrecoverableError";
}

/**
 * A job whose encoding ran past the time limit on two attempts: failed for good, as the export
 * itself most likely holds the decoder, and every attempt would hold a thread that long again.
 */
export class EncodeStuckError extends UnrecoverableError {
  override readonly name = "UnrecoverableError";
}

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
 * its request's decompressed size (`job.bytes`), or its records' decoded size when larger
 * (`reservedBytes`), of `maxBytesInFlight` from before its body is read until its rows are
 * stored, and it encodes and stores its records in slices that stay near that
 * (`sliceLimits`). A few large requests then wait their turn instead of pushing the
 * process's memory up; a single request larger than the whole budget runs alone.
 */
export function createOtlpIngestProcessor(
  writers: TOtlpIngestWriters,
  encoder: TIngestEncoder,
  options: {
    onTracesStored?: (projectId: string, traceIds: string[]) => Promise<void>;
    /** Spans of the job stored as sent because normalizing them failed (after the job's rows are stored). */
    onKeptAsSent?: (job: TOtlpIngestJob, spans: number, firstError: string | null) => void;
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
  /** `apart`: few or no other jobs' rows will join this one's (see `runsApart`), so they are inserted at once. */
  const store = async (job: TOtlpIngestJob, apart: boolean): Promise<{ spans: number; scores: number }> => {
    let body = await readBody(job, bodies);
    if (!body && job.bodyKey !== undefined && Date.now() - job.receivedAt >= OTLP_BODY_TTL_SECONDS * 1000) {
      const receiptId = job.contentId ?? job.requestId;
      if (!(await options.wasStored?.({ projectId: job.projectId, requestId: receiptId }))) {
        const received = new Date(job.receivedAt).toISOString();
        const days = OTLP_BODY_TTL_SECONDS / 86_400;
        log.error(
          { projectId: job.projectId, requestId: job.requestId, receivedAt: received },
          "request body expired before it was stored: its records are lost",
        );
        throw new BodyExpiredError(
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
    const task = {
      projectId: job.projectId,
      signal: job.signal,
      encoding: job.encoding,
      compression: job.compression,
      receivedAt: job.receivedAt,
      key: job.requestId,
    };
    const totals = { spans: 0, scores: 0, bytes: 0, keptAsSent: 0, firstError: null as string | null };
    const traceIds = new Set<string>();
    // One slice at a time, each stored before the next is encoded: see `sliceLimits`.
    const limits = sliceLimits(job);
    // The body is let go once its last slice is encoded (which ends the loop): the job then
    // waits up to a second for its rows' batch, and a body held that long outlives the
    // collector's young generation, to be freed by a full collection only.
    for (let from: number | null = 0; from !== null && body !== null; ) {
      const encoded = await encoder.encode({ ...task, body, from, ...limits });
      const last = encoded.next === null;
      if (last) body = null;
      totals.spans += encoded.spans?.rows ?? 0;
      totals.scores += encoded.scores?.rows ?? 0;
      totals.bytes = encoded.bytes;
      totals.keptAsSent += encoded.keptAsSent.spans;
      totals.firstError ??= encoded.keptAsSent.firstError;
      for (const traceId of encoded.traceIds) traceIds.add(traceId);
      // A slice before the last is inserted at once: the job adds nothing until it is stored.
      const now = !last || apart;
      const writes = [writers.spans.write(encoded.spans, { now }), writers.scores.write(encoded.scores, { now })];
      // The receipt goes with the last slice, counting them all.
      if (last) {
        const requestRow: TIngestRequestRow = {
          project_id: job.projectId,
          // A retried export (same bytes) lands on the same row; older jobs only have their own id.
          request_id: job.contentId ?? job.requestId,
          received_at: toClickHouseTime(job.receivedAt),
          span_count: totals.spans,
          bytes: totals.bytes,
        };
        writes.push(writers.ingestRequests.write(encodeRows([requestRow]), { now }));
      }
      await Promise.all(writes);
      from = encoded.next;
    }
    if (totals.keptAsSent > 0) {
      log.warn(
        { projectId: job.projectId, requestId: job.requestId, spans: totals.keptAsSent, err: totals.firstError },
        "spans kept as sent: normalizing them failed (their attributes hold spanlens.normalization_error)",
      );
      options.onKeptAsSent?.(job, totals.keptAsSent, totals.firstError);
    }
    const { spans, scores } = totals;
    // A failed delete leaves the body to its expiry; the job is stored either way.
    if (job.bodyKey)
      await bodies.remove(job.bodyKey).catch((error: unknown) => log.warn({ err: error }, "body delete failed"));
    log.debug({ requestId: job.requestId, spans, scores }, "stored");
    if (options.onTracesStored && traceIds.size > 0) {
      await options.onTracesStored(job.projectId, [...traceIds]);
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
    const apart = runsApart(bullJob);
    const reserved = reservedBytes(job);
    try {
      // Jobs queued before `bytes` existed (and empty bodies) are not counted.
      if (!budget || reserved === 0) return await store(job, apart);
      return await budget.run(reserved, () => store(job, apart));
    } catch (error) {
      // Once is retried: a machine starved of CPU can make any encoding slow. The same
      // export past the limit again is taken as stuck.
      if (error instanceof EncodeTimeoutError && bullJob.failedReason?.startsWith(ENCODE_TIMEOUT_PREFIX)) {
        throw new EncodeStuckError(
          `${ENCODE_TIMEOUT_PREFIX} ${error.timeoutMs} ms on two attempts, and was stopped both times`,
        );
      }
      throw error;
    }
  };
}

function readBody(job: TOtlpIngestJob, bodies: TOtlpBodyStore): Promise<Buffer | null> {
  if (job.bodyKey !== undefined) return bodies.get(job.bodyKey);
  return Promise.resolve(job.body === undefined ? null : Buffer.from(job.body, "base64"));
}

/**
 * What a decoded record holds while its request's slices are encoded, measured: 0.8 KB per
 * span of an export of 100,000 spans of two attributes (13.5 MB as protobuf) from the
 * OpenTelemetry SDK.
 */
export const RECORD_RESERVE_BYTES = 1024;
/** Records per slice: about 10 MB of normalized spans and rows at once, however small each was sent. */
export const SLICE_MAX_ROWS = 5000;
/** Encoded bytes a slice may reach, at least: the rest scale with the job's reservation. */
export const SLICE_MIN_BYTES = 2 * 1024 * 1024;

/**
 * What a job holds of the byte budget while it runs: its decompressed size, or its records'
 * decoded size when that is larger. Jobs queued before `bytes` existed count 0 (unbounded).
 */
export function reservedBytes(job: Pick<TOtlpIngestJob, "bytes" | "records">): number {
  if (!job.bytes) return 0;
  return Math.max(job.bytes, (job.records ?? 0) * RECORD_RESERVE_BYTES);
}

/**
 * How a request is cut into slices, each encoded and stored before the next. Rows can far
 * outgrow a request: every span carries its resource's attributes, and a small span takes
 * kilobytes normalized. Whole, an export of 200,000 small spans (14.8 MB, under the receiver's
 * limit) held over 900 MB and took down a worker with the image's 768 MB heap bound, on
 * every delivery. A slice ends at {@link SLICE_MAX_ROWS} records or at twice the job's
 * reservation in encoded bytes ({@link SLICE_MIN_BYTES} at least), so what a job holds
 * stays near what it reserved; the benchmark's requests of 10 spans are one slice each.
 */
export function sliceLimits(job: Pick<TOtlpIngestJob, "bytes" | "records">): { maxRows: number; maxBytes: number } {
  return { maxRows: SLICE_MAX_ROWS, maxBytes: Math.max(SLICE_MIN_BYTES, 2 * reservedBytes(job)) };
}
