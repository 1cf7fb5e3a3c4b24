import { AppError } from "@spanlens/core";
import type { z } from "zod";
import { getPrisma } from "./client.js";
import {
  type TEvaluatorConfig,
  type TEvaluatorFilter,
  ZEvaluatorConfig,
  ZEvaluatorFilter,
  ZEvaluatorInput,
} from "./evaluator-definitions.js";
import type { EvaluatorRunStatus } from "./generated/prisma/enums.js";

export interface TEvaluator {
  id: string;
  projectId: string;
  name: string;
  scoreName: string;
  config: TEvaluatorConfig;
  filter: TEvaluatorFilter;
  samplingRate: number;
  llmConnectionId: string | null;
  isEnabled: boolean;
  version: number;
  createdAt: Date;
}

function toEvaluator(row: {
  id: string;
  projectId: string;
  name: string;
  scoreName: string;
  config: unknown;
  filter: unknown;
  samplingRate: number;
  llmConnectionId: string | null;
  isEnabled: boolean;
  version: number;
  createdAt: Date;
}): TEvaluator {
  return {
    ...row,
    config: ZEvaluatorConfig.parse(row.config),
    filter: ZEvaluatorFilter.parse(row.filter),
  };
}

async function assertJudgeConnection(projectId: string, config: TEvaluatorConfig, llmConnectionId: string | null) {
  if (config.type !== "llm_judge") return;
  if (!llmConnectionId) throw new AppError("BAD_REQUEST", "llmConnectionId: an LLM judge needs an LLM connection");
  const connection = await getPrisma().llmConnection.findFirst({ where: { projectId, id: llmConnectionId } });
  if (!connection)
    throw new AppError("BAD_REQUEST", `llmConnectionId: no LLM connection ${llmConnectionId} in this project`);
}

export async function listEvaluators(
  projectId: string,
  options: { enabledOnly?: boolean } = {},
): Promise<TEvaluator[]> {
  const rows = await getPrisma().evaluator.findMany({
    where: { projectId, ...(options.enabledOnly ? { isEnabled: true } : {}) },
    orderBy: { name: "asc" },
  });
  return rows.map(toEvaluator);
}

export async function getEvaluator(projectId: string, id: string): Promise<TEvaluator | null> {
  const row = await getPrisma().evaluator.findFirst({ where: { projectId, id } });
  return row ? toEvaluator(row) : null;
}

export async function saveEvaluator(
  projectId: string,
  rawInput: z.input<typeof ZEvaluatorInput>,
  id?: string,
): Promise<TEvaluator> {
  const input = ZEvaluatorInput.parse(rawInput);
  const llmConnectionId = input.config.type === "llm_judge" ? (input.llmConnectionId ?? null) : null;
  await assertJudgeConnection(projectId, input.config, llmConnectionId);
  const data = {
    name: input.name,
    scoreName: input.scoreName,
    type: input.config.type,
    // Validated by ZEvaluatorConfig above; Prisma's JSON input type cannot express `unknown` leaves.
    config: input.config as object,
    filter: input.filter,
    samplingRate: input.samplingRate,
    llmConnectionId,
    isEnabled: input.isEnabled,
  };
  const clash = await getPrisma().evaluator.findFirst({
    where: { projectId, name: input.name, NOT: id ? { id } : {} },
  });
  if (clash) throw new AppError("CONFLICT", `name: an evaluator named "${input.name}" already exists`);
  if (id) {
    const { count } = await getPrisma().evaluator.updateMany({
      where: { projectId, id },
      data: { ...data, version: { increment: 1 } },
    });
    if (count === 0) throw new AppError("NOT_FOUND", `Evaluator ${id} not found in this project`);
    return toEvaluator(await getPrisma().evaluator.findFirstOrThrow({ where: { projectId, id } }));
  }
  return toEvaluator(await getPrisma().evaluator.create({ data: { projectId, ...data } }));
}

export async function deleteEvaluator(projectId: string, id: string): Promise<void> {
  await getPrisma().$transaction([
    getPrisma().evaluatorRun.deleteMany({ where: { projectId, evaluatorId: id } }),
    getPrisma().evaluator.deleteMany({ where: { projectId, id } }),
  ]);
}

/** Records that a trace was picked for an evaluator; a repeat of the same pair is a no-op returning the existing run. */
export async function enqueueEvaluatorRun(projectId: string, evaluatorId: string, traceId: string) {
  return getPrisma().evaluatorRun.upsert({
    where: { evaluatorId_traceId: { evaluatorId, traceId } },
    create: { projectId, evaluatorId, traceId },
    update: {},
  });
}

export async function updateEvaluatorRun(
  runId: string,
  update: {
    status: EvaluatorRunStatus;
    error?: string | null;
    scoreId?: string | null;
    judgeTraceId?: string | null;
    costUsd?: number;
    incrementAttempts?: boolean;
  },
): Promise<void> {
  const { incrementAttempts, ...fields } = update;
  await getPrisma().evaluatorRun.update({
    where: { id: runId },
    data: { ...fields, ...(incrementAttempts ? { attempts: { increment: 1 } } : {}) },
  });
}

export async function getEvaluatorRun(runId: string) {
  return getPrisma().evaluatorRun.findUnique({ where: { id: runId } });
}

/** Recent runs of one evaluator (or all of the project's), newest first. */
export async function listEvaluatorRuns(projectId: string, options: { evaluatorId?: string; limit: number }) {
  return getPrisma().evaluatorRun.findMany({
    where: { projectId, ...(options.evaluatorId ? { evaluatorId: options.evaluatorId } : {}) },
    orderBy: { createdAt: "desc" },
    take: options.limit,
  });
}

/** Runs per status for each evaluator of the project. */
export async function countEvaluatorRunsByStatus(projectId: string) {
  const groups = await getPrisma().evaluatorRun.groupBy({
    by: ["evaluatorId", "status"],
    where: { projectId },
    _count: { _all: true },
  });
  return groups.map((group) => ({ evaluatorId: group.evaluatorId, status: group.status, count: group._count._all }));
}

/** What LLM-judge calls cost the project since the start of the current UTC month. */
export async function judgeSpendThisMonth(projectId: string, now = new Date()): Promise<number> {
  const monthStart = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  const result = await getPrisma().evaluatorRun.aggregate({
    where: { projectId, createdAt: { gte: monthStart } },
    _sum: { costUsd: true },
  });
  return result._sum.costUsd ?? 0;
}
