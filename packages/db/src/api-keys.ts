import { createHash, randomBytes } from "node:crypto";
import { AppError } from "@spanlens/core";
import { AuditAction, recordAuditEvent } from "./audit.js";
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
// On globalThis because Next.js route bundles and the ingest handler each get their own
// copy of this module in one process; revoking through any copy must clear the one cache.
const registry = globalThis as typeof globalThis & {
  __spanlensApiKeyCache?: { keys: Map<string, TCachedKey>; lastUsedWrites: Map<string, number> };
};
registry.__spanlensApiKeyCache ??= { keys: new Map(), lastUsedWrites: new Map() };
const { keys: cache, lastUsedWrites } = registry.__spanlensApiKeyCache;

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

export interface TApiKeySummary {
  id: string;
  name: string | null;
  publicKey: string;
  /** The first characters of the secret, enough to tell keys apart. */
  secretPrefix: string;
  createdAt: Date;
  lastUsedAt: Date | null;
}

/** Active keys of a project, newest first; revoked keys are gone from the list. */
export async function listApiKeys(projectId: string): Promise<TApiKeySummary[]> {
  const keys = await getPrisma().apiKey.findMany({
    where: { projectId, revokedAt: null },
    orderBy: { createdAt: "desc" },
  });
  return keys.map((key) => ({
    id: key.id,
    name: key.name,
    publicKey: key.publicKey,
    secretPrefix: key.secretPrefix,
    createdAt: key.createdAt,
    lastUsedAt: key.lastUsedAt,
  }));
}

/** Creates a key on behalf of a user and records it in the audit log. */
export async function issueApiKey(input: {
  projectId: string;
  actorId: string;
  name?: string;
}): Promise<TCreatedApiKey> {
  const key = await createApiKey(input.projectId, input.name);
  const project = await getPrisma().project.findUniqueOrThrow({ where: { id: input.projectId } });
  await recordAuditEvent({
    orgId: project.orgId,
    actorId: input.actorId,
    action: AuditAction.ApiKeyCreated,
    target: `api_key:${key.id}`,
    metadata: { projectId: input.projectId, publicKey: key.publicKey, name: input.name ?? null },
  });
  return key;
}

/**
 * Revokes a key of the project. This process forgets it at once; other processes stop
 * accepting it when their cached lookup expires (CACHE_TTL_MS).
 */
export async function revokeApiKey(input: { projectId: string; apiKeyId: string; actorId: string }): Promise<void> {
  const prisma = getPrisma();
  const { count } = await prisma.apiKey.updateMany({
    where: { id: input.apiKeyId, projectId: input.projectId, revokedAt: null },
    data: { revokedAt: new Date() },
  });
  if (count === 0) throw new AppError("NOT_FOUND", "apiKeyId: no active API key with this id in this project");
  clearApiKeyCache();
  const project = await prisma.project.findUniqueOrThrow({ where: { id: input.projectId } });
  await recordAuditEvent({
    orgId: project.orgId,
    actorId: input.actorId,
    action: AuditAction.ApiKeyRevoked,
    target: `api_key:${input.apiKeyId}`,
    metadata: { projectId: input.projectId },
  });
}
