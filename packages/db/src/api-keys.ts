import { createHash, randomBytes } from "node:crypto";
import { AppError, childLogger, withTimeout } from "@spanlens/core";
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

const INVALID_KEY_MESSAGE = "Invalid API key: it is unknown or has been revoked";

/** A revoked key still presented: whose it was, so the refusal can be shown to its project. */
export interface TRevokedApiKey {
  projectId: string;
  apiKeyId: string;
  name: string | null;
  publicKey: string;
  revokedAt: Date;
}

/**
 * The 401 for a revoked key, with the same message an unknown key gets. It carries the key's
 * project for the receiver's list of refused exports (only a holder of the real secret gets
 * here), never into the response.
 */
export class RevokedApiKeyError extends AppError {
  readonly revoked: TRevokedApiKey;

  constructor(revoked: TRevokedApiKey) {
    super("UNAUTHORIZED", INVALID_KEY_MESSAGE);
    this.revoked = revoked;
  }
}

interface TCachedKey {
  principal: TApiKeyPrincipal | null;
  revoked: TRevokedApiKey | null;
  publicKey: string | null;
  /** When the lookup that made this entry started. */
  lookedUpAt: number;
}

// Lookups are cached briefly so hot ingest paths do not hit Postgres per request;
// the TTL bounds how long a revoked key keeps working.
const CACHE_TTL_MS = 5_000;
// An entry this old is looked up again in the background while it keeps answering, so
// steady traffic never waits on Postgres. Before, every request arriving while an expired
// entry was being looked up made its own lookup: at a few hundred requests per second
// that opened a burst of new Postgres connections every TTL and slowed the requests around
// it (docs/benchmarks.md, fifteenth session).
const REFRESH_AFTER_MS = CACHE_TTL_MS / 2;
// While Postgres does not answer, an expired entry keeps answering for up to this long
// after its last successful lookup, so an exporter's batches are not refused (and, on a
// 500, dropped) through a database restart or failover. Nothing can be revoked meanwhile:
// revoking writes to Postgres.
const STALE_IF_ERROR_MS = 60 * 60_000;
// A request waits this long on a lookup before it is answered from an expired entry, or,
// for a key with none, with a 503 that exporters retry. A host that does not answer at all
// would otherwise hold requests for the TCP connect timeout, minutes.
const LOOKUP_WAIT_MS = 2_000;
const LAST_USED_INTERVAL_MS = 60_000;
// On globalThis because Next.js route bundles and the ingest handler each get their own
// copy of this module in one process; revoking through any copy must clear the one cache.
const registry = globalThis as typeof globalThis & {
  __spanlensApiKeyCache?: {
    keys: Map<string, TCachedKey>;
    /** The lookup in flight per secret hash, which every request for that key waits on. */
    lookups: Map<string, Promise<TCachedKey>>;
    lastUsedWrites: Map<string, number>;
  };
};
registry.__spanlensApiKeyCache ??= { keys: new Map(), lookups: new Map(), lastUsedWrites: new Map() };
const { keys: cache, lookups, lastUsedWrites } = registry.__spanlensApiKeyCache;

const log = childLogger("api-keys");

/** Until then lookups have just failed: expired entries answer at once, without waiting on another. */
let failingUntil = 0;
let lastWarnedAt = 0;

/**
 * Resolves the project an API key belongs to. Lookups are cached (see `CACHE_TTL_MS`); while
 * Postgres is not answering, a key looked up within the last hour keeps working, and any other
 * gets a 503 (`UNAVAILABLE`) naming the database, never a 500.
 */
export async function authenticateApiKey(authorization: string | null): Promise<TApiKeyPrincipal> {
  const { publicKey, secretKey } = parseAuthorization(authorization);
  const secretHash = hashSecretKey(secretKey);
  const now = Date.now();
  let entry = cache.get(secretHash);
  if (!entry || now - entry.lookedUpAt >= CACHE_TTL_MS) {
    const stale = entry && now - entry.lookedUpAt < STALE_IF_ERROR_MS ? entry : undefined;
    entry = await lookUpOrStale(secretHash, stale);
  } else if (now - entry.lookedUpAt >= REFRESH_AFTER_MS) {
    // A failed refresh leaves the entry to expire; the request after that waits on a
    // lookup of its own and sees the error.
    lookUpKey(secretHash).catch(() => undefined);
  }
  const publicKeyMatches = publicKey === undefined || publicKey === entry.publicKey;
  if (entry.revoked && publicKeyMatches) throw new RevokedApiKeyError(entry.revoked);
  if (!entry.principal || !publicKeyMatches) throw new AppError("UNAUTHORIZED", INVALID_KEY_MESSAGE);
  touchLastUsed(entry.principal.apiKeyId, now);
  return entry.principal;
}

/**
 * A fresh lookup, or, when Postgres fails or does not answer within `LOOKUP_WAIT_MS`, the
 * expired entry if there is one. Right after a failure, expired entries answer at once while
 * one lookup per key keeps trying in the background.
 */
async function lookUpOrStale(secretHash: string, stale: TCachedKey | undefined): Promise<TCachedKey> {
  if (stale && Date.now() < failingUntil) {
    lookUpKey(secretHash).catch(() => undefined);
    return stale;
  }
  const lookup = lookUpKey(secretHash);
  try {
    return await withTimeout(
      lookup,
      LOOKUP_WAIT_MS,
      () => new Error(`the database did not answer within ${LOOKUP_WAIT_MS} ms`),
    );
  } catch (error) {
    failingUntil = Date.now() + CACHE_TTL_MS;
    // A lookup that hangs is not waited on again: the next one starts afresh.
    if (lookups.get(secretHash) === lookup) lookups.delete(secretHash);
    if (Date.now() - lastWarnedAt >= 10_000) {
      lastWarnedAt = Date.now();
      log.warn(
        { err: error },
        "API key lookups are failing: keys looked up within the last hour keep working, others get 503 until Postgres answers",
      );
    }
    if (stale) return stale;
    throw new AppError(
      "UNAVAILABLE",
      "API keys cannot be checked right now (the database is not answering): retry after the delay",
    );
  }
}

/** Looks a key up in Postgres and caches it; requests for the same key share one lookup. */
function lookUpKey(secretHash: string): Promise<TCachedKey> {
  const inFlight = lookups.get(secretHash);
  if (inFlight) return inFlight;
  const lookedUpAt = Date.now();
  const lookup = getPrisma()
    .apiKey.findUnique({ where: { secretHash } })
    .then((apiKey) => {
      const entry: TCachedKey = {
        principal: apiKey && !apiKey.revokedAt ? { projectId: apiKey.projectId, apiKeyId: apiKey.id } : null,
        revoked: apiKey?.revokedAt
          ? {
              projectId: apiKey.projectId,
              apiKeyId: apiKey.id,
              name: apiKey.name,
              publicKey: apiKey.publicKey,
              revokedAt: apiKey.revokedAt,
            }
          : null,
        publicKey: apiKey?.publicKey ?? null,
        lookedUpAt,
      };
      // Not when the cache was cleared meanwhile (a key revoked): the answer may predate it.
      if (lookups.get(secretHash) === lookup) {
        if (cache.size > 10_000) cache.clear();
        cache.set(secretHash, entry);
      }
      return entry;
    })
    .finally(() => {
      if (lookups.get(secretHash) === lookup) lookups.delete(secretHash);
    });
  lookups.set(secretHash, lookup);
  return lookup;
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
  lookups.clear();
  failingUntil = 0;
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
