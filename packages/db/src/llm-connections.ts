import { AppError } from "@spanlens/core";
import { z } from "zod";
import { getPrisma } from "./client.js";
import { decryptSecret, encryptSecret } from "./secret-box.js";

export const ZLlmConnectionInput = z.object({
  name: z.string().trim().min(1).max(100),
  provider: z.string().trim().min(1).max(50).default("openai"),
  baseUrl: z.url({ protocol: /^https?$/, error: "must be an http(s) URL such as https://api.openai.com/v1" }),
  /** Omit on update to keep the stored key. */
  apiKey: z.string().min(1).max(500).optional(),
  defaultModel: z.string().trim().min(1).max(200),
  requestsPerMinute: z.number().int().min(1).max(100_000).default(60),
});
export type TLlmConnectionInput = z.infer<typeof ZLlmConnectionInput>;

/** A connection as the UI sees it: never the key, only its last characters. */
export interface TLlmConnectionSummary {
  id: string;
  name: string;
  provider: string;
  baseUrl: string;
  apiKeyPreview: string | null;
  defaultModel: string;
  requestsPerMinute: number;
}

const preview = (apiKey: string) => `…${apiKey.slice(-4)}`;

const SUMMARY_FIELDS = {
  id: true,
  name: true,
  provider: true,
  baseUrl: true,
  apiKeyPreview: true,
  defaultModel: true,
  requestsPerMinute: true,
} as const;

export async function listLlmConnections(projectId: string): Promise<TLlmConnectionSummary[]> {
  return getPrisma().llmConnection.findMany({ where: { projectId }, select: SUMMARY_FIELDS, orderBy: { name: "asc" } });
}

export async function saveLlmConnection(
  projectId: string,
  input: TLlmConnectionInput,
  id?: string,
): Promise<TLlmConnectionSummary> {
  const secret = input.apiKey
    ? { encryptedApiKey: encryptSecret(input.apiKey), apiKeyPreview: preview(input.apiKey) }
    : {};
  const data = {
    name: input.name,
    provider: input.provider,
    baseUrl: input.baseUrl.replace(/\/+$/, ""),
    defaultModel: input.defaultModel,
    requestsPerMinute: input.requestsPerMinute,
    ...secret,
  };
  if (id) {
    const { count } = await getPrisma().llmConnection.updateMany({ where: { projectId, id }, data });
    if (count === 0) throw new AppError("NOT_FOUND", `LLM connection ${id} not found in this project`);
    return getPrisma().llmConnection.findFirstOrThrow({ where: { projectId, id }, select: SUMMARY_FIELDS });
  }
  const existing = await getPrisma().llmConnection.findFirst({ where: { projectId, name: input.name } });
  if (existing) throw new AppError("CONFLICT", `name: an LLM connection named "${input.name}" already exists`);
  return getPrisma().llmConnection.create({ data: { projectId, ...data }, select: SUMMARY_FIELDS });
}

export async function deleteLlmConnection(projectId: string, id: string): Promise<void> {
  const inUse = await getPrisma().evaluator.count({ where: { projectId, llmConnectionId: id } });
  if (inUse > 0) throw new AppError("CONFLICT", `This connection is used by ${inUse} evaluator(s); change them first`);
  await getPrisma().llmConnection.deleteMany({ where: { projectId, id } });
}

/** The connection with its key decrypted, for the worker's judge call only. */
export async function getLlmConnectionWithKey(projectId: string, id: string) {
  const row = await getPrisma().llmConnection.findFirst({ where: { projectId, id } });
  if (!row) return null;
  return { ...row, apiKey: row.encryptedApiKey ? decryptSecret(row.encryptedApiKey) : null };
}
