import { verifyUserCredentials } from "@spanlens/db";
import type { NextAuthOptions, Session } from "next-auth";
import { getServerSession } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { z } from "zod";
import { getAuthSecret } from "./env";

const ZCredentials = z.object({
  email: z.string().trim().min(1).max(320),
  password: z.string().min(1).max(1024),
});

export const SIGN_IN_PATH = "/sign-in";

let cachedOptions: NextAuthOptions | undefined;

/** NextAuth configuration, built on first use so the secret is read at runtime, not at build. */
export function getAuthOptions(): NextAuthOptions {
  cachedOptions ??= {
    secret: getAuthSecret(),
    session: { strategy: "jwt", maxAge: 30 * 24 * 60 * 60 },
    pages: { signIn: SIGN_IN_PATH },
    providers: [
      CredentialsProvider({
        name: "Email and password",
        credentials: {
          email: { label: "Email", type: "email" },
          password: { label: "Password", type: "password" },
        },
        async authorize(rawCredentials) {
          const credentials = ZCredentials.safeParse(rawCredentials);
          if (!credentials.success) return null;
          const user = await verifyUserCredentials(credentials.data.email, credentials.data.password);
          return user ? { id: user.id, email: user.email, name: user.name } : null;
        },
      }),
    ],
    callbacks: {
      jwt({ token, user }) {
        if (user) token.sub = user.id;
        return token;
      },
      session({ session, token }) {
        if (session.user && token.sub) session.user.id = token.sub;
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

/** The signed-in user for the current request, or null. */
export async function getSessionUser(): Promise<TSessionUser | null> {
  const session: Session | null = await getServerSession(getAuthOptions());
  const user = session?.user;
  if (!user?.id) return null;
  return { id: user.id, email: user.email ?? null, name: user.name ?? null };
}
