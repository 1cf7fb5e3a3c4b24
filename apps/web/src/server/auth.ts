import {
  AuditAction,
  findOrCreateOAuthUser,
  isSessionValid,
  recordForEveryOrg,
  verifyUserCredentials,
} from "@spanlens/db";
import type { NextAuthOptions, Session } from "next-auth";
import { getServerSession } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import GitHubProvider from "next-auth/providers/github";
import GoogleProvider from "next-auth/providers/google";
import type { Provider } from "next-auth/providers/index";
import { z } from "zod";
import { getAuthEnv } from "../features/auth/server/auth-env";
import { clientIpFromHeaders } from "../features/auth/server/client-ip";
import { consumeRateLimit, resetRateLimit } from "../features/auth/server/rate-limit";
import { getAuthSecret } from "./env";

const ZCredentials = z.object({
  email: z.string().trim().min(1).max(320),
  password: z.string().min(1).max(1024),
});

export const SIGN_IN_PATH = "/sign-in";

/** Shown for every failed password sign-in, so the answer never tells which emails exist. */
export const INVALID_CREDENTIALS_MESSAGE = "Invalid email or password";

type TRequestHeaders = Record<string, string | string[] | undefined> | undefined;

function headerReader(headers: TRequestHeaders) {
  return {
    get(name: string): string | null {
      const value = headers?.[name];
      return Array.isArray(value) ? (value[0] ?? null) : (value ?? null);
    },
  };
}

/**
 * Checks an email and password with rate limits per address+email, per email and per address. An
 * unknown email and a wrong password take the same time and give the same answer.
 */
export async function authorizeCredentials(rawCredentials: unknown, clientIp: string) {
  const credentials = ZCredentials.safeParse(rawCredentials);
  if (!credentials.success) return null;
  const email = credentials.data.email.toLowerCase();
  const accountKey = `${clientIp}:${email}`;
  await consumeRateLimit("signInPerIp", clientIp);
  await consumeRateLimit("signInPerEmail", email);
  await consumeRateLimit("signInPerAccount", accountKey);
  const user = await verifyUserCredentials(credentials.data.email, credentials.data.password);
  if (!user) return null;
  await Promise.all([resetRateLimit("signInPerAccount", accountKey), resetRateLimit("signInPerEmail", email)]);
  return { id: user.id, email: user.email, name: user.name };
}

function buildProviders(): Provider[] {
  const env = getAuthEnv();
  const providers: Provider[] = [
    CredentialsProvider({
      name: "Email and password",
      credentials: {
        email: { label: "Email", type: "email" },
        password: { label: "Password", type: "password" },
      },
      async authorize(rawCredentials, req) {
        try {
          return await authorizeCredentials(rawCredentials, clientIpFromHeaders(headerReader(req.headers)));
        } catch (error) {
          // NextAuth passes an authorize error's message to the client as `error`.
          throw new Error((error as Error).message);
        }
      },
    }),
  ];
  if (env.GITHUB_CLIENT_ID && env.GITHUB_CLIENT_SECRET) {
    providers.push(GitHubProvider({ clientId: env.GITHUB_CLIENT_ID, clientSecret: env.GITHUB_CLIENT_SECRET }));
  }
  if (env.GOOGLE_CLIENT_ID && env.GOOGLE_CLIENT_SECRET) {
    providers.push(GoogleProvider({ clientId: env.GOOGLE_CLIENT_ID, clientSecret: env.GOOGLE_CLIENT_SECRET }));
  }
  return providers;
}

let cachedOptions: NextAuthOptions | undefined;

/** NextAuth configuration, built on first use so the secret is read at runtime, not at build. */
export function getAuthOptions(): NextAuthOptions {
  cachedOptions ??= {
    secret: getAuthSecret(),
    session: { strategy: "jwt", maxAge: getAuthEnv().SESSION_MAX_AGE_SECONDS },
    pages: { signIn: SIGN_IN_PATH },
    providers: buildProviders(),
    callbacks: {
      signIn({ account, profile }) {
        // Accounts are matched by email, so only an address the provider has verified may sign in.
        if (account?.provider === "google") return (profile as { email_verified?: boolean })?.email_verified === true;
        return true;
      },
      async jwt({ token, user, account }) {
        if (user && account) {
          let userId = user.id;
          if (account.provider !== "credentials") {
            if (!user.email) throw new Error("The provider did not share an email address");
            userId = (await findOrCreateOAuthUser(user.email, user.name ?? null)).id;
          }
          token.sub = userId;
          // NextAuth re-signs the token (new `iat`) on refresh; this claim keeps the sign-in time.
          token.signedInAt = Math.floor(Date.now() / 1000);
          await recordForEveryOrg(userId, AuditAction.SignedIn, { method: account.provider });
        }
        return token;
      },
      session({ session, token }) {
        if (session.user && token.sub) session.user.id = token.sub;
        if (typeof token.signedInAt === "number") session.signedInAt = token.signedInAt;
        return session;
      },
    },
  };
  return cachedOptions;
}

export interface TSessionUser {
  id: string;
  email: string | null;
  name: string | null;
}

/**
 * The signed-in user for the current request, or null. Sessions issued before the
 * user's last password change (or of a deleted user) are rejected here.
 */
export async function getSessionUser(): Promise<TSessionUser | null> {
  const session: Session | null = await getServerSession(getAuthOptions());
  const user = session?.user;
  if (!user?.id) return null;
  if (!(await isSessionValid(user.id, session?.signedInAt))) return null;
  return { id: user.id, email: user.email ?? null, name: user.name ?? null };
}
