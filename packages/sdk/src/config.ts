import { z } from "zod";

/** Where to send data and who the sender is; every field also reads from `SPANLENS_*` env vars. */
export interface TSpanlensConnection {
  /** Spanlens URL (`SPANLENS_BASE_URL`), e.g. `http://localhost:3000`. */
  baseUrl?: string;
  /** `pk-sl-…` (`SPANLENS_PUBLIC_KEY`); with the secret key, sent as HTTP Basic auth. */
  publicKey?: string;
  /** `sk-sl-…` (`SPANLENS_SECRET_KEY`); alone, sent as a Bearer token. */
  secretKey?: string;
}

const ZConnection = z.object({
  baseUrl: z.url({ error: "baseUrl (or SPANLENS_BASE_URL) must be an http(s) URL" }),
  publicKey: z.string().min(1).optional(),
  secretKey: z.string({ error: "secretKey (or SPANLENS_SECRET_KEY) is required" }).min(1),
});

export interface TResolvedConnection {
  baseUrl: string;
  headers: Record<string, string>;
}

/** Environment variables, read only where a `process` exists (Node, Bun, Deno). */
export function readEnv(name: string): string | undefined {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  const value = env?.[name];
  return value === undefined || value === "" ? undefined : value;
}

function base64(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** The auth header the OTLP endpoint and the public API both accept. */
export function authorizationHeader(publicKey: string | undefined, secretKey: string): string {
  return publicKey ? `Basic ${base64(`${publicKey}:${secretKey}`)}` : `Bearer ${secretKey}`;
}

/** Options first, then env vars; throws a message naming the missing or malformed field. */
export function resolveConnection(options: TSpanlensConnection = {}): TResolvedConnection {
  const parsed = ZConnection.safeParse({
    baseUrl: options.baseUrl || readEnv("SPANLENS_BASE_URL"),
    // An empty option means "not given", like an empty env var.
    publicKey: options.publicKey || readEnv("SPANLENS_PUBLIC_KEY"),
    secretKey: options.secretKey || readEnv("SPANLENS_SECRET_KEY"),
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.join(".") ?? "options";
    throw new Error(`@spanlens/sdk: ${issue?.message ?? "invalid options"} (${field})`);
  }
  const { baseUrl, publicKey, secretKey } = parsed.data;
  return {
    baseUrl: baseUrl.replace(/\/+$/, ""),
    headers: { Authorization: authorizationHeader(publicKey, secretKey) },
  };
}
