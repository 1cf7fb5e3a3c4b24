import { hash, randomUUID } from "node:crypto";
import {
  AppError,
  childLogger,
  isAppError,
  MAX_JOB_USER_AGENT_CHARS,
  QueueName,
  type TOtlpIngestJob,
  withTimeout,
} from "@spanlens/core";
import { authenticateApiKey, RevokedApiKeyError, type TApiKeyPrincipal } from "@spanlens/db";
import { encodeLogsResponse, encodeTraceResponse, type TOtlpContentType } from "@spanlens/otlp";
import {
  createIngestProblemRecorder,
  getBulkRedis,
  getQueue,
  getRedis,
  OTLP_BODY_TTL_SECONDS,
  otlpBodyKey,
  queueConnection,
  type TIngestProblemRecorder,
  waitingExports,
} from "@spanlens/queue";
import type { TIngestConfig } from "./config.js";
import { closeExportDecoder, summarize } from "./export-decoder.js";
import { createFairShare, FAIR_SHARE_WINDOW_S, type TFairShare } from "./fair-share.js";
import { createInFlightBudget, type TInFlightReservation } from "./in-flight-budget.js";
import type { TRequestBody } from "./read-body.js";

const log = childLogger("ingest");

/** Bodies from this size on are written to Redis on a connection of their own (see `getBulkRedis`). */
const LARGE_BODY_BYTES = 1024 * 1024;

/**
 * The BullMQ priority of an export from a project taking more than its share of this
 * receiver's exports. Workers fetch every job added without a priority before any
 * prioritized one, so a backlog left by one project's backfill waits behind the exports
 * the other projects send meanwhile, instead of delaying their traces by as long as it
 * takes to drain. Only while exports wait for a worker: with none waiting, the order makes no
 * difference. A project's own exports may then be stored out of order, which the trace view
 * does not mind (spans of one trace may arrive in any order).
 */
const BEHIND_OTHER_PROJECTS = 1;

/**
 * The options of the one queue job an accepted export becomes: its request id as the job id,
 * retried for about three days, removed once stored, and with a priority when the project
 * sends more than its share (see `queuesBehind`).
 */
export function ingestJobOptions(requestId: string, behindOtherProjects: boolean) {
  return {
    jobId: requestId,
    attempts: 20,
    backoff: { type: "exponential", delay: 500 },
    removeOnComplete: true,
    removeOnFail: { age: OTLP_BODY_TTL_SECONDS },
    ...(behindOtherProjects ? { priority: BEHIND_OTHER_PROJECTS } : {}),
  } as const;
}

/** What an export needs besides its body: the receiver's settings without the connection ones. */
export type TIntakeConfig = Omit<TIngestConfig, "keepAliveTimeoutMs">;

/**
 * What OTLP/HTTP and OTLP/gRPC share: an export is admitted (API key, queue depth) before
 * its body is read, then decoded to validate and count, and handed to the worker as one
 * queue job. The answer is the encoded Export*ServiceResponse, with partial_success when
 * records were dropped; once `accept` resolves the job is in Redis.
 */
export interface TExportIntake {
  /** The key's project, or a 401 naming what is wrong with the key (cached lookups). */
  authenticate(authorization: string | null): Promise<TApiKeyPrincipal>;
  /**
   * Checked before the body is read: a 503 while the queue is over its bound, and a 429 for a
   * project taking more than its share of this receiver's exports while the queue is over
   * half its bound (see {@link createFairShare}).
   */
  checkCapacity(projectId: string): Promise<void>;
  /**
   * Holds `bytes` (what the request declares, then its decompressed size) of the receiver's
   * in-flight budget until released, after waiting for room up to `enqueueTimeoutMs`: a 503
   * when other exports still hold it all. Room goes first to the project holding least.
   */
  reserve(bytes: number, projectId: string): Promise<TInFlightReservation>;
  accept(
    principal: TApiKeyPrincipal,
    signal: TOtlpIngestJob["signal"],
    encoding: TOtlpContentType,
    body: TRequestBody,
    source: TExportSource,
  ): Promise<Uint8Array>;
  /**
   * Records a refusal for Settings → Usage of the project whose key the export carried: the key
   * the request authenticated with, or a revoked key (so its project sees who still uses it).
   */
  refused(principal: TApiKeyPrincipal | null, error: unknown, refusal: TRefusal): void;
}

/** Where an export came from, as the project's list of ingest problems shows it. */
export interface TExportSource {
  transport: "http" | "grpc";
  userAgent: string;
}

export interface TRefusal extends TExportSource {
  signal: TOtlpIngestJob["signal"] | "metrics";
  /** The HTTP status (over gRPC, the status its code was mapped from). */
  status: number;
  /** Over gRPC, the name of the status code answered. */
  grpcStatus?: string;
  message: string;
}

/** One recorder per process, shared by the HTTP and gRPC receivers. */
const problemsRegistry = globalThis as typeof globalThis & { __spanlensIngestProblems?: TIngestProblemRecorder };
function ingestProblems(): TIngestProblemRecorder {
  problemsRegistry.__spanlensIngestProblems ??= createIngestProblemRecorder({ redis: getRedis });
  return problemsRegistry.__spanlensIngestProblems;
}

/**
 * On shutdown, after the receivers have closed: writes the refused exports not flushed yet and
 * stops the decoding thread.
 */
export async function closeIntake(): Promise<void> {
  const recorder = problemsRegistry.__spanlensIngestProblems;
  problemsRegistry.__spanlensIngestProblems = undefined;
  await Promise.all([recorder?.close(), closeExportDecoder()]);
}

export function createExportIntake(config: TIntakeConfig): TExportIntake {
  const shares = createFairShare();
  const backpressure = createBackpressure(config, shares);
  const budget = createInFlightBudget(config.maxBytesInFlight, config.enqueueTimeoutMs);
  return {
    authenticate: authenticateApiKey,
    checkCapacity: (projectId) => backpressure.check(projectId),
    reserve: (bytes, projectId) => budget.reserve(bytes, projectId),
    refused(principal, error, { transport, userAgent, signal, status, grpcStatus, message }) {
      const problem = { transport, userAgent, signal, status, message, ...(grpcStatus ? { grpcStatus } : {}) };
      if (principal) ingestProblems().record(principal.projectId, problem);
      else if (error instanceof RevokedApiKeyError) {
        const { projectId, name, publicKey, revokedAt } = error.revoked;
        const key = `${name ? `"${name}" ` : ""}(${publicKey})`;
        const note = `The key ${key} was revoked on ${revokedAt.toISOString().slice(0, 10)}: give this exporter a current key`;
        ingestProblems().record(projectId, { ...problem, note });
      }
    },
    async accept(principal, signal, encoding, body, source) {
      const { accepted, rejected, zstdBody } = await summarize({
        signal,
        encoding,
        body: body.decoded,
        compress: body.compression === "identity",
      });
      // What waits in Redis: the body as sent, or compressed when it came large and uncompressed.
      const stored = zstdBody
        ? {
            bytes: Buffer.from(zstdBody.buffer, zstdBody.byteOffset, zstdBody.byteLength),
            compression: "zstd" as const,
          }
        : { bytes: body.sent, compression: body.compression };
      const requestId = randomUUID();
      if (accepted > 0) {
        const queue = getQueue(QueueName.OtlpIngest);
        const bodyKey = otlpBodyKey(requestId);
        const job: TOtlpIngestJob = {
          projectId: principal.projectId,
          requestId,
          // ~8 µs for the benchmark's 12 KB bodies (hardware SHA), under 1 µs per span.
          contentId: hash("sha256", body.sent, "hex"),
          signal,
          encoding,
          bodyKey,
          compression: stored.compression,
          receivedAt: Date.now(),
          bytes: body.decoded.length,
          records: accepted,
          transport: source.transport,
          userAgent: source.userAgent.slice(0, MAX_JOB_USER_AGENT_CHARS),
        };
        const jobOptions = ingestJobOptions(requestId, backpressure.queuesBehind(principal.projectId));
        const enqueue = async () => {
          if (stored.bytes.length >= LARGE_BODY_BYTES) {
            // On a connection of its own, so its transfer holds no other request's commands;
            // the job is added once Redis has the body, as a worker must always find it.
            await getBulkRedis().set(bodyKey, stored.bytes, "EX", OTLP_BODY_TTL_SECONDS);
            await queue.add(signal, job, jobOptions);
            return;
          }
          const client = await queueConnection(queue);
          // One connection, so Redis runs the SET before the job exists: a worker that
          // sees the job always finds its body.
          await Promise.all([
            client.set(bodyKey, stored.bytes, "EX", OTLP_BODY_TTL_SECONDS),
            queue.add(signal, job, jobOptions),
          ]);
        };
        await withinQueueTimeout(enqueue(), config.enqueueTimeoutMs);
        shares.add(principal.projectId, body.decoded.length);
      }
      const partial =
        rejected.count > 0
          ? { rejected: rejected.count, errorMessage: rejected.reasons.slice(0, 5).join("; ") }
          : undefined;
      if (partial) {
        ingestProblems().record(principal.projectId, {
          ...source,
          signal,
          status: 200,
          message: partial.errorMessage,
          droppedRecords: partial.rejected,
        });
      }
      log.debug({ projectId: principal.projectId, requestId, signal, accepted, rejected: rejected.count }, "accepted");
      return encodeResponse(signal, encoding, partial);
    },
  };
}

function encodeResponse(
  signal: TOtlpIngestJob["signal"],
  contentType: TOtlpContentType,
  partial: { rejected: number; errorMessage: string } | undefined,
): Uint8Array {
  if (signal === "logs") {
    return encodeLogsResponse(
      contentType,
      partial && { rejectedLogRecords: partial.rejected, errorMessage: partial.errorMessage },
    );
  }
  return encodeTraceResponse(
    contentType,
    partial && { rejectedSpans: partial.rejected, errorMessage: partial.errorMessage },
  );
}

/**
 * Bounds a Redis call: a request must not hang while Redis is away. A job that Redis
 * takes after the 503 is harmless: the exporter's retry writes the same span ids, and
 * rows collapse by key in ClickHouse.
 */
function withinQueueTimeout<T>(operation: Promise<T>, timeoutMs: number): Promise<T> {
  return withTimeout(
    operation,
    timeoutMs,
    () => new AppError("UNAVAILABLE", "The ingest queue (Redis) is not answering: retry after the delay"),
  ).catch((error: unknown) => {
    if (isAppError(error)) throw error;
    // An error reply (out of memory under `maxmemory`, a replica after failover, persistence
    // failing): the request may succeed later, so it gets a 503, which exporters retry, and
    // not a 500, after which they drop the batch.
    warnQueueRefusal(error);
    throw new AppError(
      "UNAVAILABLE",
      "The ingest queue (Redis) cannot take the request right now: retry after the delay",
      {
        cause: error,
      },
    );
  });
}

let lastQueueWarningAt = 0;
function warnQueueRefusal(error: unknown): void {
  const now = Date.now();
  if (now - lastQueueWarningAt < 10_000) return;
  lastQueueWarningAt = now;
  log.error({ err: error }, "the ingest queue (Redis) refused a request: exporters get 503 until it takes them again");
}

const DEPTH_REFRESH_MS = 250;
const DEPTH_MAX_AGE_MS = 1_000;

/**
 * Sheds load when the worker falls behind, so ingest never blocks on ClickHouse. Under
 * load the depth is read in the background at most every 250 ms: one Redis round trip per
 * request would cost more than the check is worth. A depth older than 1 s (after a quiet
 * spell) is never used: requests wait for a fresh one, so a burst after a drain is not
 * refused on the full queue last seen.
 *
 * Past half the bound, a project sending more than its share is refused first (429), so the
 * other projects keep half the queue to themselves. A project sending alone is never refused
 * before the bound.
 */
function createBackpressure(config: TIntakeConfig, shares: TFairShare) {
  let depth = 0;
  let checkedAt = 0;
  let refreshing: Promise<void> | null = null;
  const refresh = (): Promise<void> => {
    refreshing ??= withinQueueTimeout(waitingExports(), config.enqueueTimeoutMs)
      .then((count) => {
        depth = count;
        checkedAt = Date.now();
      })
      .finally(() => {
        refreshing = null;
      });
    return refreshing;
  };
  return {
    /**
     * Whether this project's next export waits behind the other projects' ({@link BEHIND_OTHER_PROJECTS}):
     * exports were waiting for a worker when the depth was last read, and it takes more than its share.
     */
    queuesBehind: (projectId: string): boolean => depth > 0 && shares.share(projectId).isOver,
    async check(projectId: string): Promise<void> {
      const age = Date.now() - checkedAt;
      if (age > DEPTH_MAX_AGE_MS) await refresh();
      // In the background; if Redis does not answer, requests past the maximum age get its error.
      else if (age > DEPTH_REFRESH_MS) refresh().catch(() => undefined);
      if (depth >= config.maxQueueDepth) {
        throw new AppError("UNAVAILABLE", `Ingest queue is full (${depth} requests waiting): retry after the delay`);
      }
      if (depth < config.maxQueueDepth / 2) return;
      const { share, projects, isOver } = shares.share(projectId);
      if (isOver) {
        throw new AppError(
          "TOO_MANY_REQUESTS",
          `Ingest queue is over half full (${depth} requests waiting) and this project sent ${Math.round(share * 100)}% of the export bytes this receiver took in the last ${FAIR_SHARE_WINDOW_S} s, more than its share among ${projects} projects: retry after the delay`,
        );
      }
    },
  };
}
