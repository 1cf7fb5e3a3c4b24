import { AppError, childLogger } from "@spanlens/core";
import {
  type ClickHouseClient,
  createClickHouse,
  describeClickHouseTarget,
  resolveClickHouseOptions,
  type TClickHouseOptions,
} from "./client.js";
import { firstLine } from "./errors.js";

const log = childLogger("clickhouse");

interface TClickHouseRegistry {
  target: string;
  pending: Promise<ClickHouseClient>;
  client?: ClickHouseClient;
}

// Next.js route bundles get their own copies of this module, and chdb allows one engine
// per process, so the client lives on globalThis where every copy finds the same one.
const holder = globalThis as typeof globalThis & { __spanlensClickHouse?: TClickHouseRegistry };

/**
 * Opens the process-wide client (from the environment unless options are given) and
 * returns it; later calls share it. Rejects when asked for a different target than the
 * one already open, and forgets a failed attempt so start-up can retry.
 */
export async function initClickHouse(options?: TClickHouseOptions): Promise<ClickHouseClient> {
  const current = holder.__spanlensClickHouse;
  if (current && options === undefined) return current.pending;
  const resolved = options ?? resolveClickHouseOptions();
  const target = describeClickHouseTarget(resolved);
  if (current) {
    if (current.target !== target) {
      throw new Error(`ClickHouse is already open (${current.target}); close it before opening ${target}`);
    }
    return current.pending;
  }
  const entry: TClickHouseRegistry = { target, pending: createClickHouse(resolved) };
  holder.__spanlensClickHouse = entry;
  try {
    entry.client = await entry.pending;
  } catch (error) {
    if (holder.__spanlensClickHouse === entry) holder.__spanlensClickHouse = undefined;
    throw error;
  }
  log.info({ target }, "ClickHouse ready");
  return entry.client;
}

/** The process-wide client; throws an UNAVAILABLE AppError until `initClickHouse` has finished. */
export function getClickHouse(): ClickHouseClient {
  const client = holder.__spanlensClickHouse?.client;
  if (!client) throw new AppError("UNAVAILABLE", "ClickHouse is not initialized; call initClickHouse() at start-up");
  return client;
}

/** Closes the process-wide client (waiting for one still opening) so the engine's files are released. */
export async function closeClickHouse(): Promise<void> {
  const entry = holder.__spanlensClickHouse;
  holder.__spanlensClickHouse = undefined;
  const client = await entry?.pending.catch(() => undefined);
  await client?.close();
}

/** Health check for /api/health: resolves when ClickHouse answers a query, else throws a short message. */
export async function checkClickHouse(timeoutMs = 2_000): Promise<void> {
  const signal = AbortSignal.timeout(timeoutMs);
  const result = await getClickHouse().ping({ select: true, abort_signal: signal });
  if (!result.success) {
    throw new AppError("UNAVAILABLE", signal.aborted ? `no answer within ${timeoutMs} ms` : firstLine(result.error), {
      cause: result.error,
    });
  }
}
