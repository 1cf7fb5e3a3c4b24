import type { ErrorLogParams, Logger, LogParams, WarnLogParams } from "@clickhouse/client";
import { childLogger } from "@spanlens/core";

const log = childLogger("clickhouse-client");

/** Routes @clickhouse/client's own logging into the process logger instead of stderr. */
export class ClickHousePinoLogger implements Logger {
  trace({ module, message, args }: LogParams): void {
    log.trace({ module, clickhouse: args }, message);
  }
  debug({ module, message, args }: LogParams): void {
    log.debug({ module, clickhouse: args }, message);
  }
  info({ module, message, args }: LogParams): void {
    log.info({ module, clickhouse: args }, message);
  }
  warn({ module, message, args, err }: WarnLogParams): void {
    log.warn({ module, clickhouse: args, err }, message);
  }
  error({ module, message, args, err }: ErrorLogParams): void {
    log.error({ module, clickhouse: args, err }, message);
  }
}
