import {
  findTraceName,
  getClickHouse,
  getTrace,
  recordEvaluationDecisions,
  type TEvaluationDecisionInsert,
} from "@spanlens/clickhouse";
import { QueueName, type TEvaluatorRunJob, ZTraceEvaluationJob } from "@spanlens/core";
import { enqueueEvaluatorRun, listEvaluators } from "@spanlens/db";
import { getQueue } from "@spanlens/queue";
import { type Job, UnrecoverableError } from "bullmq";
import { isTraceSampled, matchEvaluatorFilter } from "./filter-and-sampling.js";
import { toEvaluationTrace } from "./trace-view.js";

/** Attempts per evaluator run before it is marked failed. */
export const EVALUATOR_RUN_ATTEMPTS = 3;

/**
 * Decides, for one quiet trace, which of the project's enabled evaluators fire: each
 * filter is matched (or the failing field recorded), sampling is decided from the trace
 * id, and every picked (evaluator, trace) pair gets one run row and one run job.
 */
export async function traceEvaluationProcessor(bullJob: Job): Promise<{ queued: number; decided: number }> {
  const parsed = ZTraceEvaluationJob.safeParse(bullJob.data);
  if (!parsed.success) throw new UnrecoverableError(`invalid job payload: ${parsed.error.message}`);
  const { projectId, traceId } = parsed.data;
  const evaluators = await listEvaluators(projectId, { enabledOnly: true });
  if (evaluators.length === 0) return { queued: 0, decided: 0 };
  const [trace, traceName] = await Promise.all([
    getTrace(getClickHouse(), projectId, traceId),
    findTraceName(getClickHouse(), projectId, traceId),
  ]);
  if (!trace) return { queued: 0, decided: 0 };
  const view = toEvaluationTrace(traceId, traceName, trace.spans);

  const decisions: TEvaluationDecisionInsert[] = [];
  const jobs: TEvaluatorRunJob[] = [];
  for (const evaluator of evaluators) {
    const match = matchEvaluatorFilter(evaluator.filter, view);
    if (!match.isMatch) {
      decisions.push({ evaluatorId: evaluator.id, traceId, decision: "filtered_out", reason: match.reason });
      continue;
    }
    if (!isTraceSampled(traceId, evaluator.samplingRate)) {
      decisions.push({
        evaluatorId: evaluator.id,
        traceId,
        decision: "sampled_out",
        reason: `outside the ${Math.round(evaluator.samplingRate * 100)}% sample`,
      });
      continue;
    }
    const run = await enqueueEvaluatorRun(projectId, evaluator.id, traceId);
    // A trace re-armed by late spans keeps its finished run; only pending runs are (re)queued.
    if (run.status === "QUEUED") {
      jobs.push({ projectId, evaluatorId: evaluator.id, traceId, runId: run.id });
      decisions.push({ evaluatorId: evaluator.id, traceId, decision: "queued", reason: "" });
    }
  }
  await recordEvaluationDecisions(getClickHouse(), projectId, decisions);
  await getQueue(QueueName.EvaluatorRun).addBulk(
    jobs.map((job) => ({
      name: "run-evaluator",
      data: job,
      opts: {
        // One job per run: a re-armed trace never runs an evaluator twice concurrently.
        jobId: job.runId,
        attempts: EVALUATOR_RUN_ATTEMPTS,
        backoff: { type: "exponential", delay: 2_000 },
        removeOnComplete: { count: 1000 },
        removeOnFail: { count: 5000 },
      },
    })),
  );
  return { queued: jobs.length, decided: decisions.length };
}
