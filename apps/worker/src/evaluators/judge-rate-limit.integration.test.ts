import { randomUUID } from "node:crypto";
import { closeRedis } from "@spanlens/queue";
import { afterAll, describe, expect, it } from "vitest";
import { takeJudgeRateSlot } from "./judge-rate-limit.js";

afterAll(async () => {
  await closeRedis();
});

describe("takeJudgeRateSlot", () => {
  it("lets a provider's requests through up to its per-minute limit, then says how long to wait", async () => {
    const projectId = `rate-${randomUUID()}`;
    // Three calls take well under a millisecond each, far from the minute boundary in practice.
    const waits = [
      await takeJudgeRateSlot(projectId, "openai", 2),
      await takeJudgeRateSlot(projectId, "openai", 2),
      await takeJudgeRateSlot(projectId, "openai", 2),
    ];
    expect(waits.slice(0, 2)).toEqual([0, 0]);
    expect(waits[2]).toBeGreaterThan(0);
    expect(waits[2]).toBeLessThanOrEqual(61_000);
    // Another provider of the same project has its own budget.
    expect(await takeJudgeRateSlot(projectId, "anthropic", 2)).toBe(0);
  });
});
