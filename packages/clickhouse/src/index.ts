export {
  createBatchWriter,
  createRowEncoder,
  encodeRows,
  insertEncoded,
  insertRows,
  RefusedRowsError,
  type TBatchWriter,
  type TBatchWriterOptions,
  type TEncodedRows,
  type TRowEncoder,
} from "./batch-writer.js";
export {
  applyEmbeddedMallocConf,
  type ClickHouseClient,
  createClickHouse,
  describeClickHouseTarget,
  EMBEDDED_MALLOC_CONF,
  isEmbeddedClient,
  resolveClickHouseOptions,
  type TClickHouseEmbeddedOptions,
  type TClickHouseOptions,
  type TClickHouseServerOptions,
} from "./client.js";
export { readClickHouseEnv, type TClickHouseEnv, ZClickHouseEnv } from "./env.js";
export { ClickHouseConnectionError, isClickHouseError } from "./errors.js";
export * from "./evaluations/index.js";
export * from "./kpis/index.js";
export {
  ClickHouseMigrationError,
  DEFAULT_MIGRATIONS_DIR,
  readMigrationFiles,
  runClickHouseMigrations,
  type TAppliedMigration,
  type TMigrationFile,
  type TRunMigrationsOptions,
} from "./migrate.js";
export { checkClickHouse, closeClickHouse, getClickHouse, initClickHouse } from "./registry.js";
export * from "./scores/index.js";
export * from "./spans/index.js";
export * from "./traces/index.js";
export * from "./usage/index.js";
