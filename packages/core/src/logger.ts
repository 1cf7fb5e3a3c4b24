import { type Logger, pino } from "pino";

export type { Logger } from "pino";

/**
 * The process-wide structured logger. IDs go in fields; secrets and payload bodies
 * never do (the redact list is a last line of defence, not the policy).
 */
export const logger: Logger = pino({
  level: process.env.LOG_LEVEL ?? (process.env.NODE_ENV === "test" ? "warn" : "info"),
  base: { service: process.env.SPANLENS_SERVICE ?? "spanlens" },
  redact: {
    paths: [
      "password",
      "secretKey",
      "*.password",
      "*.secretKey",
      "authorization",
      "*.authorization",
      "headers.authorization",
    ],
    censor: "[redacted]",
  },
});

export function childLogger(component: string, bindings: Record<string, unknown> = {}): Logger {
  return logger.child({ component, ...bindings });
}
