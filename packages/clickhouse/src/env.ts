import path from "node:path";
import { parseEnv, zUrl } from "@spanlens/core";
import { z } from "zod";

// Database and cluster names are spliced into DDL (identifiers cannot be bound as
// parameters everywhere), so only plain identifiers are accepted.
const ZIdentifier = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "expected letters, digits and underscores");

export const ZClickHouseEnv = z.object({
  CLICKHOUSE_URL: zUrl(["http:", "https:"]).optional(),
  CLICKHOUSE_USER: z.string().optional(),
  CLICKHOUSE_PASSWORD: z.string().optional(),
  CLICKHOUSE_DATABASE: ZIdentifier.default("spanlens"),
  CLICKHOUSE_CLUSTER: ZIdentifier.optional(),
  SPANLENS_DATA_DIR: z.string().default(".data"),
});

export type TClickHouseEnv = z.infer<typeof ZClickHouseEnv>;

/** ClickHouse settings from the environment; `SPANLENS_DATA_DIR` comes back absolute. */
export function readClickHouseEnv(source: Record<string, string | undefined> = process.env): TClickHouseEnv {
  const env = parseEnv(ZClickHouseEnv, source);
  return { ...env, SPANLENS_DATA_DIR: path.resolve(env.SPANLENS_DATA_DIR) };
}
