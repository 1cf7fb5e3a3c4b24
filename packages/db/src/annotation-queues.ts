import { AppError } from "@spanlens/core";
import { z } from "zod";
import { getPrisma } from "./client.js";

/** Which traces a queue walks through: a recent window, optional name/tags and a score condition. */
export const ZAnnotationQueueFilter = z.object({
  sinceDays: z.number().int().min(1).max(90).default(7),
  traceName: z.string().min(1).optional(),
  tags: z.array(z.string().min(1)).max(20).optional(),
  /** e.g. `user_feedback` `lte` 0: every trace with negative feedback. */
  scoreName: z.string().min(1).optional(),
  scoreOperator: z.enum(["lt", "lte", "eq", "gte", "gt"]).optional(),
  scoreValue: z.number().optional(),
});
export type TAnnotationQueueFilter = z.infer<typeof ZAnnotationQueueFilter>;

export const ZAnnotationQueueInput = z.object({
  name: z.string().trim().min(1).max(100),
  description: z.string().max(1000).nullish(),
  filter: ZAnnotationQueueFilter,
  scoreConfigIds: z.array(z.string().min(1)).min(1, "pick at least one score config").max(20),
});
export type TAnnotationQueueInput = z.input<typeof ZAnnotationQueueInput>;

export interface TAnnotationQueue {
  id: string;
  name: string;
  description: string | null;
  filter: TAnnotationQueueFilter;
  scoreConfigIds: string[];
}

function toQueue(row: {
  id: string;
  name: string;
  description: string | null;
  filter: unknown;
  scoreConfigIds: string[];
}) {
  return { ...row, filter: ZAnnotationQueueFilter.parse(row.filter) };
}

export async function listAnnotationQueues(projectId: string): Promise<TAnnotationQueue[]> {
  const rows = await getPrisma().annotationQueue.findMany({ where: { projectId }, orderBy: { name: "asc" } });
  return rows.map(toQueue);
}

export async function getAnnotationQueue(projectId: string, id: string): Promise<TAnnotationQueue | null> {
  const row = await getPrisma().annotationQueue.findFirst({ where: { projectId, id } });
  return row ? toQueue(row) : null;
}

export async function createAnnotationQueue(
  projectId: string,
  rawInput: TAnnotationQueueInput,
): Promise<TAnnotationQueue> {
  const input = ZAnnotationQueueInput.parse(rawInput);
  const configs = await getPrisma().scoreConfig.count({ where: { projectId, id: { in: input.scoreConfigIds } } });
  if (configs !== new Set(input.scoreConfigIds).size) {
    throw new AppError("BAD_REQUEST", "scoreConfigIds: every id must be a score config of this project");
  }
  const clash = await getPrisma().annotationQueue.findFirst({ where: { projectId, name: input.name } });
  if (clash) throw new AppError("CONFLICT", `name: an annotation queue named "${input.name}" already exists`);
  const row = await getPrisma().annotationQueue.create({
    data: {
      projectId,
      name: input.name,
      description: input.description ?? null,
      filter: input.filter,
      scoreConfigIds: input.scoreConfigIds,
    },
  });
  return toQueue(row);
}

export async function deleteAnnotationQueue(projectId: string, id: string): Promise<void> {
  await getPrisma().annotationQueue.deleteMany({ where: { projectId, id } });
}
