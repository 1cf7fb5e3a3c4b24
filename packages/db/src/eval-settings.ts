import { z } from "zod";
import { getPrisma } from "./client.js";

/** One rule of the project's "low confidence" definition: a score compared with a threshold. */
export const ZLowConfidenceRule = z.object({
  scoreName: z.string().trim().min(1).max(100),
  operator: z.enum(["lt", "lte", "eq"]),
  threshold: z.number(),
});
export type TLowConfidenceRule = z.infer<typeof ZLowConfidenceRule>;

export const ZProjectEvalSettingsInput = z.object({
  lowConfidenceRules: z.array(ZLowConfidenceRule).max(10),
  requireScoreConfig: z.boolean(),
  monthlyJudgeBudgetUsd: z.number().nonnegative().nullable(),
});
export type TProjectEvalSettings = z.infer<typeof ZProjectEvalSettingsInput>;

const DEFAULT_SETTINGS: TProjectEvalSettings = {
  lowConfidenceRules: [],
  requireScoreConfig: false,
  monthlyJudgeBudgetUsd: null,
};

export async function getProjectEvalSettings(projectId: string): Promise<TProjectEvalSettings> {
  const row = await getPrisma().projectEvalSettings.findUnique({ where: { projectId } });
  if (!row) return DEFAULT_SETTINGS;
  const rules = z.array(ZLowConfidenceRule).safeParse(row.lowConfidenceRules);
  return {
    lowConfidenceRules: rules.success ? rules.data : [],
    requireScoreConfig: row.requireScoreConfig,
    monthlyJudgeBudgetUsd: row.monthlyJudgeBudgetUsd,
  };
}

export async function updateProjectEvalSettings(
  projectId: string,
  input: TProjectEvalSettings,
): Promise<TProjectEvalSettings> {
  await getPrisma().projectEvalSettings.upsert({
    where: { projectId },
    create: { projectId, ...input },
    update: input,
  });
  return input;
}

/**
 * The project's low-confidence definition: traces with a score matching any rule are
 * low confidence. Pair with `lowConfidenceTraceFilter` (@spanlens/clickhouse) to filter.
 */
export async function getLowConfidenceRules(projectId: string): Promise<TLowConfidenceRule[]> {
  return (await getProjectEvalSettings(projectId)).lowConfidenceRules;
}

/** Whether a score value is low confidence under the rules (for code holding scores in memory). */
export function isLowConfidenceScore(
  rules: readonly TLowConfidenceRule[],
  name: string,
  value: number | null,
): boolean {
  if (value === null) return false;
  return rules.some(
    (rule) =>
      rule.scoreName === name &&
      (rule.operator === "lt"
        ? value < rule.threshold
        : rule.operator === "lte"
          ? value <= rule.threshold
          : value === rule.threshold),
  );
}
