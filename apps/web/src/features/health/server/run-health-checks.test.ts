import { describe, expect, it } from "vitest";
import { runHealthChecks } from "./run-health-checks";

const ok = async () => {};

describe("runHealthChecks", () => {
  it("reports ok with a latency per dependency when every check passes", async () => {
    const report = await runHealthChecks({ postgres: ok, redis: ok, clickhouse: ok });
    expect(report.status).toBe("ok");
    expect(report.checks.postgres).toEqual({ status: "ok", latencyMs: expect.any(Number) });
    expect(Object.keys(report.checks)).toEqual(["postgres", "redis", "clickhouse"]);
  });

  it("reports degraded with the failing check's first message line", async () => {
    const report = await runHealthChecks({
      postgres: ok,
      redis: async () => {
        throw new Error("connect ECONNREFUSED 127.0.0.1:6379\n    at stack frame");
      },
      clickhouse: ok,
    });
    expect(report.status).toBe("degraded");
    expect(report.checks.redis).toEqual({
      status: "error",
      latencyMs: expect.any(Number),
      message: "connect ECONNREFUSED 127.0.0.1:6379",
    });
    expect(report.checks.postgres.status).toBe("ok");
  });

  it("times out a hanging check without waiting for it", async () => {
    const startedAt = Date.now();
    const report = await runHealthChecks(
      { postgres: ok, redis: ok, clickhouse: () => new Promise<void>(() => {}) },
      50,
    );
    expect(Date.now() - startedAt).toBeLessThan(1_000);
    expect(report.checks.clickhouse).toMatchObject({ status: "error", message: "timed out after 50 ms" });
  });
});
