import { PrismaPg } from "@prisma/adapter-pg";
import { readDatabaseEnv } from "./env.js";
import { PrismaClient } from "./generated/prisma/client.js";

export type { PrismaClient } from "./generated/prisma/client.js";

// Next.js route bundles get their own copies of this module; keeping the client on
// globalThis gives the whole process one connection pool.
const registry = globalThis as typeof globalThis & { __spanlensPrisma?: PrismaClient };

/** The process-wide Prisma client, created on first use from DATABASE_URL. */
export function getPrisma(): PrismaClient {
  if (!registry.__spanlensPrisma) {
    const { DATABASE_URL } = readDatabaseEnv();
    registry.__spanlensPrisma = createPrisma(DATABASE_URL);
  }
  return registry.__spanlensPrisma;
}

/**
 * A connection attempt gives up after 5 s (node-postgres waits forever by default): a
 * database host that drops packets would otherwise hold every query queued behind the pool
 * for the kernel's connect timeout, minutes, instead of failing it so callers can answer.
 */
const CONNECTION_TIMEOUT_MS = 5_000;

export function createPrisma(connectionString: string): PrismaClient {
  return new PrismaClient({
    adapter: new PrismaPg({ connectionString, connectionTimeoutMillis: CONNECTION_TIMEOUT_MS }),
  });
}

export async function closePrisma(): Promise<void> {
  const client = registry.__spanlensPrisma;
  registry.__spanlensPrisma = undefined;
  await client?.$disconnect();
}

/** Health check for /api/health. */
export async function checkPostgres(): Promise<void> {
  await getPrisma().$queryRaw`select 1`;
}

/** Fails fast with a one-line error naming DATABASE_URL when Postgres cannot be reached. */
export async function assertPostgresReachable(): Promise<void> {
  const { DATABASE_URL } = readDatabaseEnv();
  try {
    await getPrisma().$queryRaw`select 1`;
  } catch (error) {
    const where = new URL(DATABASE_URL);
    const reason = (error as Error).message.split("\n").filter(Boolean).at(-1) ?? "connection failed";
    throw new Error(`DATABASE_URL (${where.protocol}//${where.host}${where.pathname}) is unreachable: ${reason}`);
  }
}
