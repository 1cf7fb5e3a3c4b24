import { createHash } from "node:crypto";
import {
  findTraceName,
  getClickHouse,
  getTrace,
  insertScores,
  recordEvaluationDecisions,
  toSpanRow,
} from "@spanlens/clickhouse";
import { childLogger, ZEvaluatorRunJob } from "@spanlens/core";
import {
  getEvaluator,
  getLlmConnectionWithKey,
  getProjectEvalSettings,
  judgeSpendThisMonth,
  type TEvaluator,
  updateEvaluatorRun,
} from "@spanlens/db";
import { DelayedError, type Job, UnrecoverableError } from "bullmq";
import { runDeterministicEvaluator, type TVerdict } from "./deterministic-evaluators.js";
import { takeJudgeRateSlot } from "./judge-rate-limit.js";
import { runLlmJudge } from "./llm-judge.js";
import { toEvaluationTrace } from "./trace-view.js";

const log = childLogger("evaluator-run-processor");

/** One score per (evaluator, trace): a retried or repeated run replaces it. */
function evaluatorScoreId(evaluatorId: string, traceId: string): string {
  return createHash("sha256").update(`${evaluatorId}\u0000${traceId}`).digest("hex").slice(0, 32);
}

/**
 * Runs one evaluator on one trace and stores its score, keeping the run's status
 * current: RUNNING while it works, QUEUED with the reason while it waits for a retry or
 * a rate-limit window, SUCCEEDED, or FAILED with the reason once retries are spent.
 */
export async function evaluatorRunProcessor(bullJob: Job, token?: string): Promise<{ scoreId: string } | null> {
  const parsed = ZEvaluatorRunJob.safeParse(bullJob.data);
  if (!parsed.success) throw new UnrecoverableError(`invalid job payload: ${parsed.error.message}`);
  const { projectId, evaluatorId, traceId, runId } = parsed.data;
  const evaluator = await getEvaluator(projectId, evaluatorId);
  if (!evaluator) {
    await updateEvaluatorRun(runId, { status: "FAILED", error: "the evaluator was deleted" }).catch(() => undefined);
    return null;
  }
  await updateEvaluatorRun(runId, { status: "RUNNING", error: null, incrementAttempts: true });
  try {
    const outcome = await evaluate(evaluator, traceId, async (waitMs) => {
      await updateEvaluatorRun(runId, {
        status: "QUEUED",
        error: `waiting ${Math.ceil(waitMs / 1000)} s for the provider's rate limit`,
      });
      await bullJob.moveToDelayed(Date.now() + waitMs, token);
      throw new DelayedError();
    });
    const scoreId = evaluatorScoreId(evaluator.id, traceId);
    const isBoolean = typeof outcome.verdict.value === "boolean";
    await insertScores(getClickHouse(), projectId, [
      {
        id: scoreId,
        traceId,
        spanId: null,
        sessionId: null,
        name: evaluator.scoreName,
        value: isBoolean ? (outcome.verdict.value ? 1 : 0) : (outcome.verdict.value as number),
        stringValue: isBoolean ? String(outcome.verdict.value) : "",
        dataType: isBoolean ? "boolean" : "numeric",
        label: null,
        comment: outcome.verdict.comment,
        source: "evaluator",
        author: `evaluator:${evaluator.name}`,
        evaluatorVersion: String(evaluator.version),
        evaluatorId: evaluator.id,
        judgeTraceId: outcome.judgeTraceId,
        configId: null,
        metadata: {},
        timestampMs: Date.now(),
      },
    ]);
    await updateEvaluatorRun(runId, {
      status: "SUCCEEDED",
      error: null,
      scoreId,
      judgeTraceId: outcome.judgeTraceId,
      costUsd: outcome.costUsd,
    });
    await recordEvaluationDecisions(getClickHouse(), projectId, [
      { evaluatorId, traceId, decision: "scored", reason: "" },
    ]);
    return { scoreId };
  } catch (error) {
    if (error instanceof DelayedError) throw error;
    const reason = (error as Error).message;
    const isFinal = error instanceof UnrecoverableError || bullJob.attemptsMade + 1 >= (bullJob.opts.attempts ?? 1);
    await updateEvaluatorRun(runId, {
      status: isFinal ? "FAILED" : "QUEUED",
      error: isFinal ? reason : `retrying after: ${reason}`,
    });
    if (isFinal) {
      await recordEvaluationDecisions(getClickHouse(), projectId, [
        { evaluatorId, traceId, decision: "failed", reason: reason.slice(0, 300) },
      ]);
    }
    log.warn({ projectId, evaluatorId, traceId, runId, isFinal, err: error }, "evaluator run failed");
    throw error;
  }
}

async function evaluate(
  evaluator: TEvaluator,
  traceId: string,
  waitForRateLimit: (waitMs: number) => Promise<never>,
): Promise<{ verdict: TVerdict; judgeTraceId: string | null; costUsd: number }> {
  const projectId = evaluator.projectId;
  const [trace, traceName] = await Promise.all([
    getTrace(getClickHouse(), projectId, traceId),
    findTraceName(getClickHouse(), projectId, traceId),
  ]);
  if (!trace) throw new UnrecoverableError(`trace ${traceId} is not stored`);
  const view = toEvaluationTrace(traceId, traceName, trace.spans);
  const config = evaluator.config;
  if (config.type !== "llm_judge") {
    return { verdict: runDeterministicEvaluator(config, view), judgeTraceId: null, costUsd: 0 };
  }
  const settings = await getProjectEvalSettings(projectId);
  if (settings.monthlyJudgeBudgetUsd !== null) {
    const spent = await judgeSpendThisMonth(projectId);
    if (spent >= settings.monthlyJudgeBudgetUsd) {
      throw new UnrecoverableError(
        `the project's LLM-judge budget of $${settings.monthlyJudgeBudgetUsd} for this month is spent ($${spent.toFixed(4)}); raise it in the evaluator settings`,
      );
    }
  }
  const connection = evaluator.llmConnectionId
    ? await getLlmConnectionWithKey(projectId, evaluator.llmConnectionId)
    : null;
  if (!connection) throw new UnrecoverableError("the evaluator's LLM connection no longer exists");
  const waitMs = await takeJudgeRateSlot(projectId, connection.provider, connection.requestsPerMinute);
  if (waitMs > 0) await waitForRateLimit(waitMs);
  const result = await runLlmJudge(evaluator, config, view, {
    provider: connection.provider,
    baseUrl: connection.baseUrl,
    apiKey: connection.apiKey,
    model: connection.defaultModel,
  });
  await getClickHouse().insert({
    table: "spans",
    values: [toSpanRow(projectId, result.judgeSpan)],
    format: "JSONEachRow",
  });
  return { verdict: result.verdict, judgeTraceId: result.judgeSpan.traceId, costUsd: result.costUsd };
}
