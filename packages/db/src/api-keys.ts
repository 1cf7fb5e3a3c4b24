import { createHash, randomBytes } from "node:crypto";
import { AppError } from "@spanlens/core";
import { getPrisma } from "./client.js";

export interface TApiKeyPrincipal {
  projectId: string;
  apiKeyId: string;
}

export interface TCreatedApiKey {
  id: string;
  publicKey: string;
  /** Shown once; only its hash is stored. */
  secretKey: string;
}

const PUBLIC_PREFIX = "pk-sl-";
const SECRET_PREFIX = "sk-sl-";

/**
 * SHA-256, not a slow KDF: secrets are 32 random bytes, so brute force is hopeless
 * anyway, and a fast hash keeps every OTLP request's auth lookup cheap.
 */
export function hashSecretKey(secretKey: string): string {
  return createHash("sha256").update(secretKey).digest("hex");
}

export async function createApiKey(projectId: string, name?: string): Promise<TCreatedApiKey> {
  const publicKey = PUBLIC_PREFIX + randomBytes(12).toString("hex");
  const secretKey = SECRET_PREFIX + randomBytes(32).toString("base64url");
  const apiKey = await getPrisma().apiKey.create({
    data: {
      projectId,
      name: name ?? null,
      publicKey,
      secretHash: hashSecretKey(secretKey),
      secretPrefix: secretKey.slice(0, SECRET_PREFIX.length + 4),
    },
  });
  return { id: apiKey.id, publicKey, secretKey };
}

/** Parses `Bearer sk-…` or Basic `pk:sk`; throws UNAUTHORIZED naming what is wrong. */
export function parseAuthorization(authorization: string | null): { publicKey?: string; secretKey: string } {
  if (!authorization) {
    throw new AppError(
      "UNAUTHORIZED",
      "Missing Authorization header: send `Bearer <secret key>` or Basic <public key>:<secret key>",
    );
  }
  const [scheme, credentials] = authorization.trim().split(/\s+/, 2);
  if (scheme?.toLowerCase() === "bearer" && credentials) {
    if (!credentials.startsWith(SECRET_PREFIX)) {
      throw new AppError("UNAUTHORIZED", `Malformed API key: a secret key starts with ${SECRET_PREFIX}`);
    }
    return { secretKey: credentials };
  }
  if (scheme?.toLowerCase() === "basic" && credentials) {
    const decoded = Buffer.from(credentials, "base64").toString("utf8");
    const separator = decoded.indexOf(":");
    const publicKey = decoded.slice(0, separator);
    const secretKey = decoded.slice(separator + 1);
    if (separator < 0 || !publicKey.startsWith(PUBLIC_PREFIX) || !secretKey.startsWith(SECRET_PREFIX)) {
      throw new AppError("UNAUTHORIZED", `Malformed Basic credentials: expected ${PUBLIC_PREFIX}…:${SECRET_PREFIX}…`);
    }
    return { publicKey, secretKey };
  }
  throw new AppError("UNAUTHORIZED", "Unsupported Authorization scheme: use Bearer or Basic");
}

interface TCachedKey {
  principal: TApiKeyPrincipal | null;
  publicKey: string | null;
  expiresAt: number;
}

// Lookups are cached briefly so hot ingest paths do not hit Postgres per request;
// the TTL bounds how long a revoked key keeps working.
const CACHE_TTL_MS = 5_000;
const LAST_USED_INTERVAL_MS = 60_000;
const cache = new Map<string, TCachedKey>();
const lastUsedWrites = new Map<string, number>();

/** Resolves the project an API key belongs to. */
export async function authenticateApiKey(authorization: string | null): Promise<TApiKeyPrincipal> {
  const { publicKey, secretKey } = parseAuthorization(authorization);
  const secretHash = hashSecretKey(secretKey);
  const now = Date.now();
  let entry = cache.get(secretHash);
  if (!entry || entry.expiresAt <= now) {
    const apiKey = await getPrisma().apiKey.findUnique({ where: { secretHash } });
    entry = {
      principal: apiKey && !apiKey.revokedAt ? { projectId: apiKey.projectId, apiKeyId: apiKey.id } : null,
      publicKey: apiKey?.publicKey ?? null,
      expiresAt: now + CACHE_TTL_MS,
    };
    if (cache.size > 10_000) cache.clear();
    cache.set(secretHash, entry);
  }
  if (!entry.principal || (publicKey !== undefined && publicKey !== entry.publicKey)) {
    throw new AppError("UNAUTHORIZED", "Invalid API key: it is unknown or has been revoked");
  }
  touchLastUsed(entry.principal.apiKeyId, now);
  return entry.principal;
}

function touchLastUsed(apiKeyId: string, now: number): void {
  const last = lastUsedWrites.get(apiKeyId) ?? 0;
  if (now - last < LAST_USED_INTERVAL_MS) return;
  lastUsedWrites.set(apiKeyId, now);
  void getPrisma()
    .apiKey.update({ where: { id: apiKeyId }, data: { lastUsedAt: new Date(now) } })
    .catch(() => undefined);
}

/** Drops cached lookups (tests, and key revocation in this process). */
export function clearApiKeyCache(): void {
  cache.clear();
}
