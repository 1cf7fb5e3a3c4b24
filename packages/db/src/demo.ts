import { createApiKey } from "./api-keys.js";
import { getPrisma } from "./client.js";
import { hashPassword } from "./passwords.js";

export interface TDemoCredentials {
  email: string;
  password: string;
  projectId: string;
  publicKey: string;
  secretKey: string;
}

export const DEMO_EMAIL = "demo@spanlens.dev";

/**
 * Creates the demo user, organization, project and key pair. Returns null when the demo
 * user already exists: the caller keeps the credentials file from the first run.
 */
export const DEMO_LOW_CONFIDENCE_THRESHOLD = 0.5;

export async function seedDemoAccount(password: string): Promise<TDemoCredentials | null> {
  const prisma = getPrisma();
  if (await prisma.user.findUnique({ where: { email: DEMO_EMAIL } })) return null;
  const user = await prisma.user.create({
    data: { email: DEMO_EMAIL, name: "Demo User", passwordHash: await hashPassword(password) },
  });
  const org = await prisma.organization.create({
    data: { name: "Demo Organization", memberships: { create: { userId: user.id, role: "OWNER" } } },
  });
  const project = await prisma.project.create({ data: { orgId: org.id, name: "RAG Q&A bot" } });
  // The demo bot scores each answer's `confidence`; below 0.5 is what the explorer's
  // "Low confidence" filter shows, so a newcomer sees the concept work at once.
  await prisma.projectEvalSettings.create({
    data: {
      projectId: project.id,
      lowConfidenceRules: [{ scoreName: "confidence", operator: "lt", threshold: DEMO_LOW_CONFIDENCE_THRESHOLD }],
    },
  });
  const key = await createApiKey(project.id, "Demo key");
  return { email: DEMO_EMAIL, password, projectId: project.id, publicKey: key.publicKey, secretKey: key.secretKey };
}
