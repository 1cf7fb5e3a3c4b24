import { RefusedRowsError } from "@spanlens/clickhouse";
import { NORMALIZATION_ERROR_ATTRIBUTE, type TOtlpIngestJob, ZOtlpIngestJob } from "@spanlens/core";
import { OTLP_BODY_TTL_SECONDS, type TIngestProblemEvent, type TIngestProblemRecorder } from "@spanlens/queue";
import { type Job, UnrecoverableError } from "bullmq";
import { BodyExpiredError, EncodeStuckError } from "./otlp-ingest-processor.js";

const BODY_DAYS = OTLP_BODY_TTL_SECONDS / 86_400;

/** BullMQ's reason for a job failed at a stall past `maxStalledCount`. */
const STALLED_TOO_OFTEN = "job stalled more than allowable limit";

/** The longest reason a problem keeps of a normalization error. */
const MAX_REASON_CHARS = 500;

/**
 * Tells a project, in its list of ingest problems (Settings → Usage, `GET /usage/problems`),
 * about exports the receiver accepted and the worker then could not store whole. The exporter
 * was answered 200 and will never learn of these, so without this list the spans would be
 * missing with no word anywhere the project can see.
 *
 * - A job that failed for good: its records are lost unless an operator queues it again.
 * - An attempt that failed because the engine refused the request's own rows: the project's
 *   data is at issue, and every retry will likely fail the same way.
 * - Spans stored as sent because normalizing them failed: stored, but without their meaning.
 *
 * A failed attempt for any other cause (the store down, a payload this worker cannot read) is
 * the operator's to fix and is retried; it is logged, not shown to the project, until the job
 * fails for good.
 */
export function createIngestLossReporter(
  recorder: Pick<TIngestProblemRecorder, "record">,
  /** After how many stalls a job runs apart (see `runsApart`; 0: never). */
  { apartAfterStalls = 0 }: { apartAfterStalls?: number } = {},
) {
  const record = (job: TOtlpIngestJob, event: Omit<TIngestProblemEvent, "transport" | "userAgent" | "signal">) =>
    recorder.record(job.projectId, {
      ...event,
      stage: "worker",
      signal: job.signal,
      // Jobs queued before the receiver recorded these.
      transport: job.transport ?? "http",
      userAgent: job.userAgent ?? "",
    });
  /**
   * The message and note of a job failed for good: `noun` names its records, `attemptsSpent`
   * how many attempts it was given when they ran out (null for an unrecoverable error).
   */
  const lostForGood = (
    bullJob: Job,
    error: Error,
    noun: string,
    attemptsSpent: number | null,
  ): { message: string; note: string } => {
    if (error instanceof BodyExpiredError) {
      return {
        message: error.message,
        note: `Accepted, then not stored: no retry can store it, so its ${noun} are lost.`,
      };
    }
    const kept = `The job is kept as failed: once the cause is fixed, an operator can queue it again (pnpm queue:retry-failed) within ${BODY_DAYS} days of its arrival; after that its ${noun} are lost.`;
    if (error instanceof EncodeStuckError) {
      return {
        message: error.message,
        note: `Accepted, then not stored: decoding and normalizing it ran past the worker's time limit on two attempts, so the export itself likely holds the decoder; the worker's log names the job at the time it failed. ${kept}`,
      };
    }
    if (error.message !== STALLED_TOO_OFTEN) {
      const after = attemptsSpent === null ? "" : ` after ${attemptsSpent} attempts`;
      return { message: error.message, note: `Accepted, then not stored${after}. ${kept}` };
    }
    const times = bullJob.stalledCounter;
    const message = `The worker stopped (crashed, was killed or ran out of memory) ${times === 1 ? "the one time" : `each of the ${times} times`} it held this export`;
    // Its last delivery, at `maxStalledCount` stalls, ran alone (see `runsApart`).
    if (apartAfterStalls === 0 || times <= apartAfterStalls) {
      return { message, note: `Accepted, then not stored. ${kept}` };
    }
    return {
      message,
      note: `Accepted, then not stored. The last time it ran with no other export beside it and the worker still stopped, so the export itself likely stops it: check the worker's log and memory for the time it failed. The exports held beside it ran again without it. ${kept}`,
    };
  };
  return {
    /** For the consumer's `failed` event: called after BullMQ has counted the attempt. */
    failed(bullJob: Job | undefined, error: Error): void {
      const parsed = bullJob ? ZOtlpIngestJob.safeParse(bullJob.data) : null;
      if (!bullJob || !parsed?.success) return;
      const job = parsed.data;
      const attempts = bullJob.opts.attempts ?? 1;
      // Failed for good: every attempt spent, or an unrecoverable error (the body expired, or
      // BullMQ's own for a job whose workers stopped under it more often than it allows).
      const unrecoverable = error instanceof UnrecoverableError || error.name === "UnrecoverableError";
      const final = unrecoverable || bullJob.attemptsMade >= attempts;
      const noun = job.signal === "logs" ? "log records" : "spans";
      if (final) {
        record(job, {
          status: 200,
          droppedRecords: job.records ?? 0,
          ...lostForGood(bullJob, error, noun, unrecoverable ? null : attempts),
        });
        return;
      }
      if (error instanceof RefusedRowsError) {
        record(job, {
          status: 200,
          message: error.message,
          note: `Accepted, but the store refused its ${noun}, so none of them are stored yet. The worker retries it, ${attempts} attempts in all; unless the data or the store changes, each fails the same way.`,
        });
      }
    },
    /** Spans of an accepted export that were stored as sent, without their normalized fields. */
    keptAsSent(job: TOtlpIngestJob, spans: number, firstError: string | null): void {
      const reason = (firstError ?? "unknown error").slice(0, MAX_REASON_CHARS);
      record(job, {
        status: 200,
        message: `Normalizing spans failed: ${reason}`,
        keptRecords: spans,
        note: `Stored as sent, without their normalized fields (model, usage, messages…); each keeps the error in its ${NORMALIZATION_ERROR_ATTRIBUTE} attribute.`,
      });
    },
  };
}

export type TIngestLossReporter = ReturnType<typeof createIngestLossReporter>;
