import { withTimeout } from "@spanlens/core";

export type TDependencyName = "postgres" | "redis" | "clickhouse";

export type TCheckResult =
  | { status: "ok"; latencyMs: number }
  | { status: "error"; latencyMs: number; message: string };

export interface THealthReport {
  status: "ok" | "degraded";
  checks: Record<TDependencyName, TCheckResult>;
}

export type THealthChecks = Record<TDependencyName, () => Promise<void>>;

export const CHECK_TIMEOUT_MS = 3_000;

function shortMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const firstLine = message.split("\n", 1)[0] ?? "";
  return firstLine.length > 200 ? `${firstLine.slice(0, 197)}...` : firstLine || "check failed";
}

async function runCheck(check: () => Promise<void>, timeoutMs: number): Promise<TCheckResult> {
  const startedAt = performance.now();
  try {
    await withTimeout(check(), timeoutMs, () => new Error(`timed out after ${timeoutMs} ms`));
    return { status: "ok", latencyMs: Math.round(performance.now() - startedAt) };
  } catch (error) {
    return { status: "error", latencyMs: Math.round(performance.now() - startedAt), message: shortMessage(error) };
  }
}

/** Probes every storage dependency in parallel; one slow dependency cannot stall the others. */
export async function runHealthChecks(checks: THealthChecks, timeoutMs = CHECK_TIMEOUT_MS): Promise<THealthReport> {
  const names = Object.keys(checks) as TDependencyName[];
  const results = await Promise.all(names.map((name) => runCheck(checks[name], timeoutMs)));
  const entries = names.map((name, index) => [name, results[index] as TCheckResult] as const);
  const isHealthy = entries.every(([, result]) => result.status === "ok");
  return {
    status: isHealthy ? "ok" : "degraded",
    checks: Object.fromEntries(entries) as Record<TDependencyName, TCheckResult>,
  };
}
