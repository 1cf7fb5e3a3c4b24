import { childLogger, parseEnv, zUrl } from "@spanlens/core";
import { Redis, type RedisOptions } from "ioredis";
import { z } from "zod";

const ZRedisEnv = z.object({ REDIS_URL: zUrl(["redis:", "rediss:"]) });

export function readRedisEnv(source: Record<string, string | undefined> = process.env) {
  return parseEnv(ZRedisEnv, source);
}

const log = childLogger("redis");
/** Connection errors repeat on every reconnect attempt; one warning per interval is enough. */
const ERROR_LOG_INTERVAL_MS = 10_000;
let lastErrorLoggedAt = 0;

/**
 * A new Redis connection configured as BullMQ requires (blocking commands never time out).
 * While Redis is away the client keeps reconnecting and queues commands; callers that must
 * answer quickly bound their own wait (the OTLP receiver does).
 */
export function createRedis(url: string = readRedisEnv().REDIS_URL, options: RedisOptions = {}): Redis {
  const redis = new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true, lazyConnect: false, ...options });
  redis.on("error", (error: Error) => {
    const now = Date.now();
    if (now - lastErrorLoggedAt < ERROR_LOG_INTERVAL_MS) return;
    lastErrorLoggedAt = now;
    log.warn({ err: { message: error.message } }, "Redis connection error; reconnecting");
  });
  return redis;
}

const registry = globalThis as typeof globalThis & { __spanlensRedis?: Redis; __spanlensBulkRedis?: Redis };

/** The process-wide shared connection for plain commands (health, rate limits, caches). */
export function getRedis(): Redis {
  registry.__spanlensRedis ??= createRedis();
  return registry.__spanlensRedis;
}

/**
 * A process-wide connection of its own for large values (request bodies of a megabyte and
 * more). Commands on one connection are answered in order, so on a shared connection a large
 * value's transfer holds every command queued behind it: with two 9 MB exports in flight the
 * receiver's other requests waited ~220 ms instead of ~4 (docs/deployment.md).
 */
export function getBulkRedis(): Redis {
  registry.__spanlensBulkRedis ??= createRedis();
  return registry.__spanlensBulkRedis;
}

export async function closeRedis(): Promise<void> {
  const connections = [registry.__spanlensRedis, registry.__spanlensBulkRedis];
  registry.__spanlensRedis = undefined;
  registry.__spanlensBulkRedis = undefined;
  await Promise.all(connections.map((redis) => redis?.quit()));
}

/** Health check for /api/health. */
export async function checkRedis(): Promise<void> {
  const reply = await getRedis().ping();
  if (reply !== "PONG") throw new Error(`unexpected PING reply: ${reply}`);
}

/**
 * Fails fast with a one-line error naming REDIS_URL when Redis cannot be reached, so
 * a misconfigured process refuses to start instead of retrying forever.
 */
export async function assertRedisReachable(url: string = readRedisEnv().REDIS_URL, timeoutMs = 5_000): Promise<void> {
  const probe = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    connectTimeout: timeoutMs,
    retryStrategy: () => null,
  });
  probe.on("error", () => undefined);
  try {
    await probe.connect();
    await probe.ping();
  } catch (error) {
    throw new Error(`REDIS_URL (${redactUrl(url)}) is unreachable: ${(error as Error).message}`);
  } finally {
    probe.disconnect();
  }
}

function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "<unparseable>";
  }
}
