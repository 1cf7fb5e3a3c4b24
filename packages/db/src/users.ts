import { AppError } from "@spanlens/core";
import { z } from "zod";
import { AuditAction, recordAuditEvent } from "./audit.js";
import { getPrisma } from "./client.js";
import { getDummyPasswordHash, hashPassword, verifyPassword } from "./passwords.js";

export interface TUserSummary {
  id: string;
  email: string;
  name: string | null;
}

export const MIN_PASSWORD_LENGTH = 10;
const MAX_PASSWORD_LENGTH = 1024;

export const ZEmail = z.string().trim().min(1, "is required").max(320).pipe(z.email("is not a valid email address"));
export const ZNewPassword = z
  .string()
  .min(MIN_PASSWORD_LENGTH, `must be at least ${MIN_PASSWORD_LENGTH} characters`)
  .max(MAX_PASSWORD_LENGTH, `must be at most ${MAX_PASSWORD_LENGTH} characters`);

export const ZSignUpInput = z.object({
  email: ZEmail,
  password: ZNewPassword,
  name: z.string().trim().max(200).optional(),
});
export type TSignUpInput = z.infer<typeof ZSignUpInput>;

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** Returns the user when the password matches; null for an unknown email or a wrong password alike. */
export async function verifyUserCredentials(email: string, password: string): Promise<TUserSummary | null> {
  const user = await getPrisma().user.findUnique({ where: { email: normalizeEmail(email) } });
  const isValid = await verifyPassword(password, user?.passwordHash ?? (await getDummyPasswordHash()));
  if (!user?.passwordHash || !isValid) return null;
  return { id: user.id, email: user.email, name: user.name };
}

/**
 * Creates an account with a password. A taken email is a CONFLICT: sign-up cannot hide
 * that an address is registered without email verification, so the endpoint is rate-limited instead.
 */
export async function signUpUser(input: TSignUpInput): Promise<TUserSummary> {
  const email = normalizeEmail(input.email);
  const passwordHash = await hashPassword(input.password);
  const prisma = getPrisma();
  if (await prisma.user.findUnique({ where: { email }, select: { id: true } })) {
    throw new AppError("CONFLICT", "email: an account with this email already exists; sign in instead");
  }
  try {
    const user = await prisma.user.create({ data: { email, name: input.name || null, passwordHash } });
    return { id: user.id, email: user.email, name: user.name };
  } catch (error) {
    // Two sign-ups racing for one address: the unique index decides.
    if ((error as { code?: string }).code === "P2002") {
      throw new AppError("CONFLICT", "email: an account with this email already exists; sign in instead");
    }
    throw error;
  }
}

/**
 * Finds the user for an OAuth sign-in by the provider-verified email, creating one
 * (without a password) on first sign-in.
 */
export async function findOrCreateOAuthUser(email: string, name: string | null): Promise<TUserSummary> {
  const normalized = normalizeEmail(email);
  const user = await getPrisma().user.upsert({
    where: { email: normalized },
    update: {},
    create: { email: normalized, name },
  });
  return { id: user.id, email: user.email, name: user.name };
}

/**
 * Changes the password after checking the current one, and invalidates every session
 * issued before now (the caller re-issues its own).
 */
export async function changePassword(userId: string, currentPassword: string, newPassword: string): Promise<void> {
  const prisma = getPrisma();
  const user = await prisma.user.findUnique({ where: { id: userId } });
  if (!user) throw new AppError("UNAUTHORIZED", "Sign in to continue");
  if (user.passwordHash && !(await verifyPassword(currentPassword, user.passwordHash))) {
    throw new AppError("BAD_REQUEST", "currentPassword: is incorrect");
  }
  const parsed = ZNewPassword.safeParse(newPassword);
  if (!parsed.success) throw new AppError("BAD_REQUEST", `newPassword: ${parsed.error.issues[0]?.message}`);
  // Whole seconds: JWT `iat` has second precision, and the new session must stay valid.
  const validAfter = new Date(Math.floor(Date.now() / 1000) * 1000);
  await prisma.user.update({
    where: { id: userId },
    data: { passwordHash: await hashPassword(newPassword), sessionsValidAfter: validAfter },
  });
  await recordForEveryOrg(userId, AuditAction.PasswordChanged);
}

/** Whether a session issued at `issuedAtSeconds` (JWT `iat`) is still valid for the user. */
export async function isSessionValid(userId: string, issuedAtSeconds: number | undefined): Promise<boolean> {
  const user = await getPrisma().user.findUnique({ where: { id: userId }, select: { sessionsValidAfter: true } });
  if (!user) return false;
  if (!user.sessionsValidAfter) return true;
  return issuedAtSeconds !== undefined && issuedAtSeconds * 1000 >= user.sessionsValidAfter.getTime();
}

/** Records a user-level event (sign-in, password change) in each organization the user belongs to. */
export async function recordForEveryOrg(
  userId: string,
  action: (typeof AuditAction)["SignedIn" | "PasswordChanged"],
  metadata?: Record<string, string>,
): Promise<void> {
  const memberships = await getPrisma().membership.findMany({ where: { userId }, select: { orgId: true } });
  await Promise.all(
    memberships.map(({ orgId }) =>
      recordAuditEvent({ orgId, actorId: userId, action, target: `user:${userId}`, ...(metadata ? { metadata } : {}) }),
    ),
  );
}

export async function getUserSummary(userId: string): Promise<TUserSummary | null> {
  const user = await getPrisma().user.findUnique({ where: { id: userId } });
  return user ? { id: user.id, email: user.email, name: user.name } : null;
}
