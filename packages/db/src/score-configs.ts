import { AppError } from "@spanlens/core";
import { z } from "zod";
import { getPrisma } from "./client.js";
import type { ScoreDataType } from "./generated/prisma/enums.js";

export const ZScoreCategory = z.object({ label: z.string().min(1).max(100), value: z.number() });

/** A score config as the UI and API create it. */
export const ZScoreConfigInput = z
  .object({
    name: z.string().trim().min(1).max(100),
    dataType: z.enum(["NUMERIC", "BOOLEAN", "CATEGORICAL"]),
    minValue: z.number().nullish(),
    maxValue: z.number().nullish(),
    categories: z.array(ZScoreCategory).max(50).nullish(),
    description: z.string().max(1000).nullish(),
    shortcut: z
      .string()
      .regex(/^[a-z0-9]$/, "must be one lowercase letter or digit")
      .nullish(),
  })
  .superRefine((config, ctx) => {
    if (config.minValue != null && config.maxValue != null && config.minValue > config.maxValue) {
      ctx.addIssue({ code: "custom", path: ["maxValue"], message: "must not be below minValue" });
    }
    if (config.dataType === "CATEGORICAL" && (config.categories?.length ?? 0) === 0) {
      ctx.addIssue({
        code: "custom",
        path: ["categories"],
        message: "a categorical config needs at least one category",
      });
    }
  });
export type TScoreConfigInput = z.infer<typeof ZScoreConfigInput>;

export interface TScoreConfig {
  id: string;
  projectId: string;
  name: string;
  dataType: ScoreDataType;
  minValue: number | null;
  maxValue: number | null;
  categories: { label: string; value: number }[];
  description: string | null;
  shortcut: string | null;
  isArchived: boolean;
}

function toScoreConfig(row: {
  id: string;
  projectId: string;
  name: string;
  dataType: ScoreDataType;
  minValue: number | null;
  maxValue: number | null;
  categories: unknown;
  description: string | null;
  shortcut: string | null;
  isArchived: boolean;
}): TScoreConfig {
  const categories = z.array(ZScoreCategory).safeParse(row.categories);
  return { ...row, categories: categories.success ? categories.data : [] };
}

export async function listScoreConfigs(projectId: string, options: { includeArchived?: boolean } = {}) {
  const rows = await getPrisma().scoreConfig.findMany({
    where: { projectId, ...(options.includeArchived ? {} : { isArchived: false }) },
    orderBy: { name: "asc" },
  });
  return rows.map(toScoreConfig);
}

export async function getScoreConfig(projectId: string, id: string): Promise<TScoreConfig | null> {
  const row = await getPrisma().scoreConfig.findFirst({ where: { projectId, id } });
  return row ? toScoreConfig(row) : null;
}

export async function createScoreConfig(projectId: string, input: TScoreConfigInput): Promise<TScoreConfig> {
  const existing = await getPrisma().scoreConfig.findFirst({ where: { projectId, name: input.name } });
  if (existing) throw new AppError("CONFLICT", `name: a score config named "${input.name}" already exists`);
  const row = await getPrisma().scoreConfig.create({
    data: {
      projectId,
      name: input.name,
      dataType: input.dataType,
      minValue: input.minValue ?? null,
      maxValue: input.maxValue ?? null,
      categories: input.categories ?? [],
      description: input.description ?? null,
      shortcut: input.shortcut ?? null,
    },
  });
  return toScoreConfig(row);
}

/** Archived configs keep validating old scores' names out of the annotation panel, never out of history. */
export async function setScoreConfigArchived(projectId: string, id: string, isArchived: boolean): Promise<void> {
  const { count } = await getPrisma().scoreConfig.updateMany({ where: { projectId, id }, data: { isArchived } });
  if (count === 0) throw new AppError("NOT_FOUND", `Score config ${id} not found in this project`);
}

export type TScoreValue = number | boolean | string;
export type TScoreDataTypeName = "numeric" | "boolean" | "categorical";

/** A score checked against its config and ready to store. */
export interface TCheckedScoreValue {
  dataType: TScoreDataTypeName;
  /** Numeric value (booleans 1/0, categories their configured value), null for a free category. */
  value: number | null;
  /** The category, or "true"/"false" for booleans. */
  stringValue: string;
  configId: string | null;
}

function inferDataType(value: TScoreValue): TScoreDataTypeName {
  if (typeof value === "boolean") return "boolean";
  if (typeof value === "number") return "numeric";
  return "categorical";
}

/**
 * Checks one score value against the project's config for its name (or the config named
 * by `configId`). Throws BAD_REQUEST naming the offending field, with `fieldPrefix`
 * (e.g. `scores.3.`) in front for batch requests.
 */
export function checkScoreValue(
  input: { name: string; value: TScoreValue; dataType?: TScoreDataTypeName | undefined; configId?: string | undefined },
  config: TScoreConfig | null,
  options: { requireConfig: boolean; fieldPrefix?: string },
): TCheckedScoreValue {
  const prefix = options.fieldPrefix ?? "";
  const fail = (field: string, message: string): never => {
    throw new AppError("BAD_REQUEST", `${prefix}${field}: ${message}`);
  };
  if (input.configId && !config) fail("configId", `no score config ${input.configId} in this project`);
  if (!config && options.requireConfig) {
    fail("name", `no score config named "${input.name}" in this project (this project only accepts configured scores)`);
  }
  const actual = inferDataType(input.value);
  const isBooleanNumber = input.value === 0 || input.value === 1;
  const describe = typeof input.value === "string" ? "a string" : `a ${typeof input.value}`;
  if (config) {
    const expected = config.dataType.toLowerCase() as TScoreDataTypeName;
    if (config.name !== input.name)
      fail("name", `score config ${config.id} is named "${config.name}", not "${input.name}"`);
    if (actual !== expected && !(expected === "boolean" && isBooleanNumber)) {
      fail("value", `score config "${config.name}" expects a ${expected} value, got ${describe}`);
    }
    if (input.dataType && input.dataType !== expected) {
      fail("dataType", `score config "${config.name}" is ${expected}, not ${input.dataType}`);
    }
  }
  const dataType = config ? (config.dataType.toLowerCase() as TScoreDataTypeName) : (input.dataType ?? actual);
  if (dataType !== actual && !(dataType === "boolean" && isBooleanNumber)) {
    fail("value", `dataType is ${dataType} but value is ${describe}`);
  }
  if (dataType === "boolean") {
    const isTrue = input.value === true || input.value === 1;
    return { dataType, value: isTrue ? 1 : 0, stringValue: isTrue ? "true" : "false", configId: config?.id ?? null };
  }
  if (dataType === "numeric") {
    const value = input.value as number;
    if (!Number.isFinite(value)) fail("value", "must be a finite number");
    if (config?.minValue != null && value < config.minValue) {
      fail("value", `${value} is below the minimum ${config.minValue} of score config "${config.name}"`);
    }
    if (config?.maxValue != null && value > config.maxValue) {
      fail("value", `${value} is above the maximum ${config.maxValue} of score config "${config.name}"`);
    }
    return { dataType, value, stringValue: "", configId: config?.id ?? null };
  }
  const category = String(input.value);
  if (config) {
    const match = config.categories.find((candidate) => candidate.label === category);
    if (!match) {
      const allowed = config.categories.map((candidate) => `"${candidate.label}"`).join(", ");
      fail("value", `"${category}" is not a category of score config "${config.name}" (one of ${allowed})`);
    }
    return { dataType, value: match?.value ?? null, stringValue: category, configId: config.id };
  }
  return { dataType, value: null, stringValue: category, configId: null };
}

/** Loads the configs a batch needs (by name and by id) in one query. */
export async function findScoreConfigsFor(
  projectId: string,
  refs: readonly { name: string; configId?: string | undefined }[],
): Promise<{ byName: Map<string, TScoreConfig>; byId: Map<string, TScoreConfig> }> {
  const names = [...new Set(refs.map((ref) => ref.name))];
  const ids = [...new Set(refs.flatMap((ref) => (ref.configId ? [ref.configId] : [])))];
  const rows = await getPrisma().scoreConfig.findMany({
    where: { projectId, OR: [{ name: { in: names } }, { id: { in: ids } }] },
  });
  const configs = rows.map(toScoreConfig);
  return {
    byName: new Map(configs.map((config) => [config.name, config])),
    byId: new Map(configs.map((config) => [config.id, config])),
  };
}
