import { parseEnv, zUrl } from "@spanlens/core";
import { z } from "zod";

const ZPair = (id: string, secret: string) => (env: Record<string, unknown>) =>
  (env[id] === undefined) === (env[secret] === undefined);

const ZAuthEnv = z
  .object({
    // Sessions expire this long after sign-in (JWT lifetime); 30 days unless set.
    SESSION_MAX_AGE_SECONDS: z.coerce
      .number()
      .int()
      .min(300)
      .max(365 * 24 * 3600)
      .default(30 * 24 * 3600),
    GITHUB_CLIENT_ID: z.string().min(1).optional(),
    GITHUB_CLIENT_SECRET: z.string().min(1).optional(),
    GOOGLE_CLIENT_ID: z.string().min(1).optional(),
    GOOGLE_CLIENT_SECRET: z.string().min(1).optional(),
    // smtp://user:password@host:587 or smtps://…; invites are emailed only when set.
    SMTP_URL: zUrl(["smtp:", "smtps:"]).optional(),
    EMAIL_FROM: z.string().min(3).default("Spanlens <no-reply@spanlens.local>"),
  })
  .refine(ZPair("GITHUB_CLIENT_ID", "GITHUB_CLIENT_SECRET"), {
    path: ["GITHUB_CLIENT_SECRET"],
    message: "set both GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET, or neither",
  })
  .refine(ZPair("GOOGLE_CLIENT_ID", "GOOGLE_CLIENT_SECRET"), {
    path: ["GOOGLE_CLIENT_SECRET"],
    message: "set both GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET, or neither",
  });

export type TAuthEnv = z.infer<typeof ZAuthEnv>;

let cachedEnv: TAuthEnv | undefined;

/** Parses account settings from the given variables; throws naming the bad one. */
export function getAuthEnvFrom(source: Record<string, string | undefined>): TAuthEnv {
  return parseEnv(ZAuthEnv, source);
}

/** Account settings from the environment, read on first use (not at build time). */
export function getAuthEnv(): TAuthEnv {
  cachedEnv ??= getAuthEnvFrom(process.env);
  return cachedEnv;
}

export type TOAuthProviderId = "github" | "google";

/** OAuth providers whose client id and secret are configured. */
export function getEnabledOAuthProviders(env: TAuthEnv = getAuthEnv()): TOAuthProviderId[] {
  const enabled: TOAuthProviderId[] = [];
  if (env.GITHUB_CLIENT_ID) enabled.push("github");
  if (env.GOOGLE_CLIENT_ID) enabled.push("google");
  return enabled;
}
