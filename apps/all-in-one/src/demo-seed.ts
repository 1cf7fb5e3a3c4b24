import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { seedDemoAccount } from "@spanlens/db";
import { seedDemoTraces } from "rag-qa-bot";
import { z } from "zod";

export const ZDemoCredentials = z.object({
  baseUrl: z.string(),
  email: z.string(),
  password: z.string(),
  projectId: z.string(),
  publicKey: z.string(),
  secretKey: z.string(),
});
export type TDemoCredentials = z.infer<typeof ZDemoCredentials>;

/**
 * Seeds the demo account on first run and writes `.data/demo-credentials.json`; later
 * runs read the file back, so the demo login never changes under a user.
 */
export async function ensureDemoAccount(
  dataDir: string,
  baseUrl: string,
): Promise<{ credentials: TDemoCredentials; isNew: boolean } | null> {
  const file = path.join(dataDir, "demo-credentials.json");
  if (existsSync(file)) {
    const stored = ZDemoCredentials.parse(JSON.parse(await readFile(file, "utf8")));
    if (stored.baseUrl !== baseUrl) await writeCredentials(file, { ...stored, baseUrl });
    return { credentials: { ...stored, baseUrl }, isNew: false };
  }
  const created = await seedDemoAccount(randomBytes(9).toString("base64url"));
  // The user exists but its file is gone: the password cannot be recovered from a hash.
  if (!created) return null;
  const credentials = { baseUrl, ...created };
  await writeCredentials(file, credentials);
  return { credentials, isNew: true };
}

async function writeCredentials(file: string, credentials: TDemoCredentials): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
}

/**
 * First-run sample data: the bundled RAG Q&A bot answers a scripted set of questions
 * (healthy answers, an outdated chunk, an irrelevant retrieval, a slow step, a failing tool)
 * through the real SDK and OTLP path, and records feedback and KPI events for some.
 */
export async function sendDemoTraces(
  otlpBaseUrl: string,
  credentials: TDemoCredentials,
  onWarning: (message: string) => void,
): Promise<number> {
  const results = await seedDemoTraces({
    baseUrl: otlpBaseUrl,
    publicKey: credentials.publicKey,
    secretKey: credentials.secretKey,
    onWarning,
  });
  return results.length;
}
