import { mkdir } from "node:fs/promises";
import path from "node:path";
import {
  type ClickHouseClient,
  type ClickHouseClientConfigOptions,
  ClickHouseLogLevel,
  createClient,
} from "@clickhouse/client";
import { readClickHouseEnv } from "./env.js";
import { ClickHouseConnectionError, firstLine } from "./errors.js";
import { ClickHousePinoLogger } from "./pino-logger.js";
import { onCluster, quoteIdentifier } from "./sql.js";

export type { ClickHouseClient } from "@clickhouse/client";

/** A ClickHouse server (or cluster node) reached over HTTP. */
export interface TClickHouseServerOptions {
  mode: "server";
  url: string;
  username?: string;
  password?: string;
  database: string;
  /** Cluster name for `ON CLUSTER` DDL; unset on a single node. */
  cluster?: string;
  /** How long start-up waits for an answer before declaring the server unreachable. */
  connectTimeoutMs?: number;
}

/** ClickHouse embedded in this process through chdb. */
export interface TClickHouseEmbeddedOptions {
  mode: "embedded";
  /** Data directory; chdb lets only one process hold it at a time. */
  path: string;
  database: string;
}

export type TClickHouseOptions = TClickHouseServerOptions | TClickHouseEmbeddedOptions;

const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;

// ClickHouse 25.8 stopped quoting 64-bit integers in JSON output by default; chdb 26.x
// follows the new default, older servers do not. Pinning it makes rows look the same in
// both modes (numbers). Values above 2^53 lose precision as JS numbers, so select
// 64-bit hashes or ids with toString().
const SHARED_OUTPUT_SETTINGS = { output_format_json_quote_64bit_integers: 0 } as const;

// On the client object, not in a module-level set: Next.js route bundles each get their own
// copy of this module, and they share one client (see registry.ts).
const EMBEDDED_CLIENT = Symbol.for("spanlens.clickhouse.embedded");

/**
 * Whether the client runs the embedded engine. Its connection (chdb's) runs each query to the
 * end and hands over the whole result as one buffer before the first row can be read, so a
 * reader that must not hold a large result at once reads it in pages (see `streamTraceSpans`);
 * a server's rows arrive over HTTP as they are read.
 */
export function isEmbeddedClient(client: ClickHouseClient): boolean {
  return (client as unknown as Record<symbol, unknown>)[EMBEDDED_CLIENT] === true;
}

/** Server mode when `CLICKHOUSE_URL` is set, otherwise embedded under `<SPANLENS_DATA_DIR>/clickhouse`. */
export function resolveClickHouseOptions(source: Record<string, string | undefined> = process.env): TClickHouseOptions {
  const env = readClickHouseEnv(source);
  if (env.CLICKHOUSE_URL === undefined) {
    return {
      mode: "embedded",
      path: path.join(env.SPANLENS_DATA_DIR, "clickhouse"),
      database: env.CLICKHOUSE_DATABASE,
    };
  }
  const options: TClickHouseServerOptions = {
    mode: "server",
    url: env.CLICKHOUSE_URL,
    database: env.CLICKHOUSE_DATABASE,
  };
  if (env.CLICKHOUSE_USER !== undefined) options.username = env.CLICKHOUSE_USER;
  if (env.CLICKHOUSE_PASSWORD !== undefined) options.password = env.CLICKHOUSE_PASSWORD;
  if (env.CLICKHOUSE_CLUSTER !== undefined) options.cluster = env.CLICKHOUSE_CLUSTER;
  return options;
}

/** A short, credential-free description of where the options point, for logs and errors. */
export function describeClickHouseTarget(options: TClickHouseOptions): string {
  return options.mode === "server"
    ? `server ${displayUrl(options.url)}, database ${options.database}`
    : `embedded ${options.path}, database ${options.database}`;
}

/**
 * Creates a client for the server or the embedded engine, with the target database
 * created if missing and selected for every query. Throws `ClickHouseConnectionError`
 * when the target cannot be reached or opened.
 */
export async function createClickHouse(options: TClickHouseOptions): Promise<ClickHouseClient> {
  return options.mode === "server" ? createServerClient(options) : createEmbeddedClient(options);
}

async function createServerClient(options: TClickHouseServerOptions): Promise<ClickHouseClient> {
  const where = `CLICKHOUSE_URL (${displayUrl(options.url)})`;
  const timeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  // The HTTP interface rejects requests that name a missing database, so the database
  // is created through a client bound to the server's default one. Its logging is off:
  // a failure here becomes one readable line, not the client's own stack dump.
  const bootstrap = createClient({ ...serverConfig(options), log: { level: ClickHouseLogLevel.OFF } });
  try {
    const signal = AbortSignal.timeout(timeoutMs);
    const ping = await bootstrap.ping({ select: false, abort_signal: signal });
    if (!ping.success) {
      const reason = signal.aborted ? `no answer within ${timeoutMs} ms` : firstLine(ping.error);
      throw new ClickHouseConnectionError(`${where} is unreachable: ${reason}`, { cause: ping.error });
    }
    const createDatabase = `CREATE DATABASE IF NOT EXISTS ${quoteIdentifier(options.database)}${onCluster(options.cluster)}`;
    await bootstrap.command({ query: createDatabase, abort_signal: AbortSignal.timeout(timeoutMs) }).catch((error) => {
      throw new ClickHouseConnectionError(
        `${where} answered but database ${options.database} could not be created: ${firstLine(error)}`,
        { cause: error },
      );
    });
  } finally {
    await bootstrap.close();
  }
  return createClient({ ...serverConfig(options), database: options.database, log: clientLog });
}

// Settings that only make sense over HTTP live here, so the embedded path never sees them.
function serverConfig(options: TClickHouseServerOptions): ClickHouseClientConfigOptions {
  const config: ClickHouseClientConfigOptions = {
    url: options.url,
    application: "spanlens",
    // Large batched inserts and 7-day aggregations can legitimately run for a while;
    // start-up reachability has its own short timeout above.
    request_timeout: 60_000,
    compression: { response: true, request: false },
    clickhouse_settings: { ...SHARED_OUTPUT_SETTINGS },
  };
  if (options.username !== undefined) config.username = options.username;
  if (options.password !== undefined) config.password = options.password;
  return config;
}

/**
 * The embedded engine's allocator (jemalloc, built into chdb with the `je_` prefix, so it
 * reads `JE_MALLOC_CONF`, never `MALLOC_CONF`) returns freed memory to the kernel after
 * 5 s by default. Inserts free and reallocate the same few hundred MB every batch, and on
 * virtual machines each page touched again costs a page fault: keeping freed pages for a
 * minute cut the engine's CPU per inserted row by 15–25% in the ingest benchmark, at the
 * price of the last minute's peak staying resident (docs/benchmarks.md, run 15).
 */
export const EMBEDDED_MALLOC_CONF = "dirty_decay_ms:60000";

/**
 * Sets the embedded engine's allocator options unless the operator set their own. jemalloc
 * reads them once, when chdb loads, so this runs before the first import.
 */
export function applyEmbeddedMallocConf(env: NodeJS.ProcessEnv = process.env): void {
  if (env.JE_MALLOC_CONF === undefined) env.JE_MALLOC_CONF = EMBEDDED_MALLOC_CONF;
}

async function createEmbeddedClient(options: TClickHouseEmbeddedOptions): Promise<ClickHouseClient> {
  applyEmbeddedMallocConf();
  // chdb is a ~570 MB native library and an optional dependency: it is loaded only
  // here, never at module import time (Next's build imports route modules in workers).
  let chdb: typeof import("chdb/connection");
  try {
    chdb = await import("chdb/connection");
  } catch (error) {
    throw new ClickHouseConnectionError(
      `CLICKHOUSE_URL is not set and the embedded engine (chdb) cannot be loaded: ${firstLine(error)}`,
      { cause: error },
    );
  }
  await mkdir(options.path, { recursive: true });
  let connection: ReturnType<typeof chdb.createChdbConnection>;
  try {
    connection = chdb.createChdbConnection({ path: options.path });
  } catch (error) {
    throw new ClickHouseConnectionError(
      `embedded ClickHouse cannot open ${options.path}: ${firstLine(error)} ` +
        "(chdb allows one process per data directory; stop the other process or set CLICKHOUSE_URL)",
      { cause: error },
    );
  }
  // chdb types its connection against @clickhouse/client-common 1.23.0, whose settings
  // list trails the copy bundled in @clickhouse/client 1.23.1; the runtime contract is the same.
  const client = createClient({ connection: connection as unknown as ChdbClientConnection, log: clientLog });
  Object.defineProperty(client, EMBEDDED_CLIENT, { value: true });
  try {
    await client.command({ query: `CREATE DATABASE IF NOT EXISTS ${quoteIdentifier(options.database)}` });
    // chdb ignores the client's `database` option and per-client settings are re-sent as
    // `SET` before every query; its session keeps `USE` and `SET` instead, so both are
    // issued once here.
    await client.command({ query: `USE ${quoteIdentifier(options.database)}` });
    for (const [name, value] of Object.entries(SHARED_OUTPUT_SETTINGS)) {
      await client.command({ query: `SET ${name} = ${value}` });
    }
  } catch (error) {
    await client.close();
    throw new ClickHouseConnectionError(
      `embedded ClickHouse at ${options.path} could not prepare database ${options.database}: ${firstLine(error)}`,
      { cause: error },
    );
  }
  return client;
}

type ChdbClientConnection = NonNullable<ClickHouseClientConfigOptions["connection"]>;

const clientLog = { LoggerClass: ClickHousePinoLogger, level: ClickHouseLogLevel.WARN };

// Credentials may be embedded in the URL; they never reach logs or error messages.
function displayUrl(url: string): string {
  try {
    const parsed = new URL(url);
    const pathname = parsed.pathname === "/" ? "" : parsed.pathname;
    return `${parsed.protocol}//${parsed.host}${pathname}`;
  } catch {
    return "an invalid URL";
  }
}
