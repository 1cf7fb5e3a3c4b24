import { childLogger, withTimeout } from "@spanlens/core";
import type { Redis } from "ioredis";
import { z } from "zod";
import { queuePrefix } from "./queues.js";

const log = childLogger("ingest-problems");

/**
 * An export the receiver refused, or accepted only in part, for a project it knew by its
 * API key: what the exporter was told, so the project's Settings → Usage can answer "why
 * are my traces missing?" without the exporter's own logs. The worker adds the accepted
 * exports it could not store whole (stage `worker`), which the exporter was never told of.
 * Identical problems within one flush are counted, not repeated.
 */
export const ZIngestProblem = z.object({
  /** Last time seen (epoch ms). */
  at: z.number().int(),
  /** First time seen in the same flush (epoch ms). */
  firstAt: z.number().int(),
  count: z.number().int().positive(),
  /** The HTTP status answered (gRPC: the status its code maps from); 200 with records dropped. */
  status: z.number().int(),
  message: z.string(),
  transport: z.enum(["http", "grpc"]),
  signal: z.enum(["traces", "logs", "metrics"]),
  /** The exporter's User-Agent, which names its SDK and version. */
  userAgent: z.string(),
  /**
   * Spans or log records dropped from accepted exports: by the receiver (partial success), or
   * by the worker when it failed to store an export for good.
   */
  droppedRecords: z.number().int().nonnegative(),
  /**
   * Where it happened: the receiver answered the exporter so; the worker met it after the
   * export was accepted (entries written before this field existed are the receiver's).
   */
  stage: z.enum(["receiver", "worker"]).default("receiver"),
  /** Spans the worker stored as sent, without their normalized fields, because normalizing them failed. */
  keptRecords: z.number().int().nonnegative().default(0),
  /** What the project should know besides what the exporter was told (a revoked key's name). */
  note: z.string().default(""),
  /** The gRPC status code's name an OTLP/gRPC exporter was answered (`INVALID_ARGUMENT`); empty over HTTP. */
  grpcStatus: z.string().default(""),
});
export type TIngestProblem = z.infer<typeof ZIngestProblem>;

/** What one refusal adds: the rest is filled in when it is counted. */
export type TIngestProblemEvent = Omit<
  TIngestProblem,
  "at" | "firstAt" | "count" | "droppedRecords" | "note" | "grpcStatus" | "stage" | "keptRecords"
> & {
  droppedRecords?: number;
  note?: string;
  grpcStatus?: string;
  stage?: TIngestProblem["stage"];
  keptRecords?: number;
};

/** How many problems a project keeps (newest first), and for how long after the last one. */
export const INGEST_PROBLEMS_KEPT = 100;
export const INGEST_PROBLEMS_TTL_SECONDS = 7 * 24 * 3600;
/** Distinct problems one project may add per flush; a client sending many kinds of bad data adds no more. */
const MAX_GROUPS_PER_PROJECT = 20;
/** Projects one flush may write; problems of further projects are dropped and counted in the log. */
const MAX_PROJECTS_PER_FLUSH = 500;
/** How long closing waits for the last write. */
const CLOSE_WAIT_MS = 3_000;

/** Under the queue prefix, so a Redis Cluster hash tag covers it as it covers the queues. */
export function ingestProblemsKey(projectId: string): string {
  return `${queuePrefix()}:ingest-problems:${projectId}`;
}

export interface TIngestProblemRecorder {
  record(projectId: string, event: TIngestProblemEvent): void;
  /** Writes what was recorded since the last flush; resolves once Redis has it (or failed, logged). */
  flush(): Promise<void>;
  /** Stops the timer and flushes. */
  close(): Promise<void>;
}

/**
 * Counts problems in memory and writes them every `flushMs`, one LPUSH + LTRIM + EXPIRE per
 * project: a client sending bad data as fast as it can costs Redis one write per project
 * every interval, not one per request. The receiver's accepted exports write nothing here.
 * Problems recorded in the last interval before a crash are lost: they are diagnostics, and
 * the exporter was told the same thing in its response.
 */
export function createIngestProblemRecorder(options: {
  redis: () => Redis;
  flushMs?: number;
  now?: () => number;
}): TIngestProblemRecorder {
  const now = options.now ?? Date.now;
  let pending = new Map<string, Map<string, TIngestProblem>>();
  let droppedProblems = 0;
  /**
   * The write under way. Only one is: while Redis is away the client holds a write in its
   * queue until it is back, and a write every interval would pile up there for as long as
   * the outage lasts. Problems recorded meanwhile are counted in `pending`, within its caps.
   */
  let writing: Promise<void> | null = null;
  const write = async (): Promise<void> => {
    if (pending.size === 0) return;
    const batch = pending;
    const dropped = droppedProblems;
    pending = new Map();
    droppedProblems = 0;
    if (dropped > 0) {
      log.warn(
        { problems: dropped },
        `ingest problems past the first ${MAX_PROJECTS_PER_FLUSH} projects of a flush: dropped`,
      );
    }
    const pipeline = options.redis().pipeline();
    for (const [projectId, groups] of batch) {
      const key = ingestProblemsKey(projectId);
      // Oldest first, so the list's head is the newest.
      const entries = [...groups.values()].sort((a, b) => a.at - b.at).map((entry) => JSON.stringify(entry));
      pipeline
        .lpush(key, ...entries)
        .ltrim(key, 0, INGEST_PROBLEMS_KEPT - 1)
        .expire(key, INGEST_PROBLEMS_TTL_SECONDS);
    }
    try {
      const results = (await pipeline.exec()) ?? [];
      const failed = results.find(([error]) => error);
      if (failed) throw failed[0];
    } catch (error) {
      log.warn({ err: { message: (error as Error).message } }, "could not write ingest problems to Redis");
    }
  };
  const startWrite = (): Promise<void> => {
    writing = write().finally(() => {
      writing = null;
    });
    return writing;
  };
  /** Waits for the write under way, then writes what came since. */
  const flush = async (): Promise<void> => {
    while (writing) await writing;
    await startWrite();
  };
  const timer = setInterval(() => {
    if (!writing) void startWrite();
  }, options.flushMs ?? 2_000);
  timer.unref();
  return {
    record(projectId, event) {
      let groups = pending.get(projectId);
      if (!groups) {
        if (pending.size >= MAX_PROJECTS_PER_FLUSH) {
          droppedProblems += 1;
          return;
        }
        groups = new Map();
        pending.set(projectId, groups);
      }
      const group = JSON.stringify([
        event.status,
        event.message,
        event.transport,
        event.signal,
        event.userAgent,
        event.note ?? "",
        event.stage ?? "receiver",
      ]);
      const at = now();
      const seen = groups.get(group);
      if (seen) {
        seen.at = at;
        seen.count += 1;
        seen.droppedRecords += event.droppedRecords ?? 0;
        seen.keptRecords += event.keptRecords ?? 0;
      } else if (groups.size < MAX_GROUPS_PER_PROJECT) {
        groups.set(group, {
          ...event,
          at,
          firstAt: at,
          count: 1,
          droppedRecords: event.droppedRecords ?? 0,
          note: event.note ?? "",
          grpcStatus: event.grpcStatus ?? "",
          stage: event.stage ?? "receiver",
          keptRecords: event.keptRecords ?? 0,
        });
      }
    },
    flush,
    async close() {
      clearInterval(timer);
      // Shutting down while Redis is away: what is not written within a few seconds is lost.
      await withTimeout(flush(), CLOSE_WAIT_MS, () => new Error("Redis did not take the last ingest problems")).catch(
        (error: unknown) => log.warn({ err: { message: (error as Error).message } }, "ingest problems not written"),
      );
    },
  };
}

/** A project's recorded problems, newest first; an entry that does not parse is skipped. */
export async function readIngestProblems(redis: Redis, projectId: string): Promise<TIngestProblem[]> {
  const raw = await redis.lrange(ingestProblemsKey(projectId), 0, INGEST_PROBLEMS_KEPT - 1);
  return raw.flatMap((entry) => {
    try {
      const parsed = ZIngestProblem.safeParse(JSON.parse(entry));
      return parsed.success ? [parsed.data] : [];
    } catch {
      return [];
    }
  });
}
