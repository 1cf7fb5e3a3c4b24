import { EnvError } from "@spanlens/core";
import { createClickHouse, resolveClickHouseOptions } from "../client.js";
import { ClickHouseMigrationError, runClickHouseMigrations } from "../migrate.js";

// `pnpm ch:migrate`: applies pending ClickHouse migrations to the database the
// environment points at (the embedded data dir when CLICKHOUSE_URL is unset).
async function main(): Promise<void> {
  const options = resolveClickHouseOptions();
  const client = await createClickHouse(options);
  try {
    const cluster = options.mode === "server" ? options.cluster : undefined;
    const applied = await runClickHouseMigrations(client, { database: options.database, cluster });
    const summary = applied.length === 0 ? "up to date" : `applied ${applied.map((m) => m.fileName).join(", ")}`;
    process.stdout.write(`ClickHouse database ${options.database}: ${summary}\n`);
  } finally {
    await client.close();
  }
}

main().catch((error: unknown) => {
  // Configuration and migration problems are explained by their message; anything else
  // is a bug worth its stack trace.
  const isExplained = error instanceof EnvError || error instanceof ClickHouseMigrationError;
  process.stderr.write(`ch:migrate failed: ${isExplained ? error.message : String((error as Error).stack ?? error)}\n`);
  process.exitCode = 1;
});
