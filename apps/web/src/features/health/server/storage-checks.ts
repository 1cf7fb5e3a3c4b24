import { checkClickHouse } from "@spanlens/clickhouse";
import { checkPostgres } from "@spanlens/db";
import { checkRedis } from "@spanlens/queue";
import type { THealthChecks } from "./run-health-checks";

/** The dependencies the web app cannot serve without. */
export const storageChecks: THealthChecks = {
  postgres: checkPostgres,
  redis: checkRedis,
  clickhouse: checkClickHouse,
};
