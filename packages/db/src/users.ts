import { getPrisma } from "./client.js";
import { getDummyPasswordHash, verifyPassword } from "./passwords.js";

export interface TUserSummary {
  id: string;
  email: string;
  name: string | null;
}

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
