import { childLogger, QueueName, type TTraceEvaluationJob } from "@spanlens/core";
import { listEvaluators } from "@spanlens/db";
import { getQueue } from "@spanlens/queue";

const log = childLogger("evaluation-scheduler");

/** How long "has this project any enabled evaluator?" is cached: a new evaluator starts within this. */
const EVALUATOR_CACHE_MS = 5_000;

/**
 * After a batch of a trace's spans is stored, (re)arms one delayed evaluation job per
 * trace. BullMQ deduplication in debounce mode (`extend` + `replace`) pushes the job back
 * on each new batch, so a trace whose spans arrive over time is evaluated once, after it
 * has been quiet for `delayMs`. Projects without enabled evaluators enqueue nothing.
 */
export function createTraceEvaluationScheduler(options: { delayMs: number }) {
  // The promise is cached, not its value: hundreds of concurrent ingest jobs of one project
  // share one lookup, and a failed lookup is not retried by every job until the TTL passes.
  const cache = new Map<string, { hasEvaluators: Promise<boolean>; expiresAt: number }>();
  let lastWarnedAt = 0;
  const hasEnabledEvaluators = (projectId: string): Promise<boolean> => {
    const cached = cache.get(projectId);
    if (cached && cached.expiresAt > Date.now()) return cached.hasEvaluators;
    const hasEvaluators = listEvaluators(projectId, { enabledOnly: true }).then((evaluators) => evaluators.length > 0);
    if (cache.size > 10_000) cache.clear();
    cache.set(projectId, { hasEvaluators, expiresAt: Date.now() + EVALUATOR_CACHE_MS });
    return hasEvaluators;
  };
  return async function scheduleTraceEvaluations(projectId: string, traceIds: readonly string[]): Promise<void> {
    if (traceIds.length === 0) return;
    try {
      if (!(await hasEnabledEvaluators(projectId))) return;
      await getQueue(QueueName.TraceEvaluation).addBulk(
        [...new Set(traceIds)].map((traceId) => ({
          name: "evaluate-trace",
          data: { projectId, traceId } satisfies TTraceEvaluationJob,
          opts: {
            delay: options.delayMs,
            deduplication: { id: `${projectId}:${traceId}`, ttl: options.delayMs, extend: true, replace: true },
            removeOnComplete: { count: 1000 },
            removeOnFail: { count: 1000 },
          },
        })),
      );
    } catch (error) {
      // Storing spans must not fail because evaluation could not be scheduled. Every job
      // of a burst fails the same way; one warning per interval says it.
      const now = Date.now();
      if (now - lastWarnedAt < EVALUATOR_CACHE_MS) return;
      lastWarnedAt = now;
      log.warn({ projectId, err: error }, "could not schedule trace evaluations");
    }
  };
}
