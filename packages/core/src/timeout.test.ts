import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { withTimeout } from "./timeout.js";

describe("withTimeout", () => {
  it("answers with the operation when it settles first", async () => {
    await expect(withTimeout(sleep(5, "done"), 1_000, () => new Error("late"))).resolves.toBe("done");
    await expect(withTimeout(Promise.reject(new Error("broken")), 1_000, () => new Error("late"))).rejects.toThrow(
      "broken",
    );
  });

  it("rejects with the timeout's error when the operation takes longer, and leaves its late rejection handled", async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    try {
      const slow = sleep(50).then(() => Promise.reject(new Error("too late to matter")));
      await expect(withTimeout(slow, 5, () => new Error("timed out after 5 ms"))).rejects.toThrow(
        "timed out after 5 ms",
      );
      await sleep(100);
      expect(unhandled).toEqual([]);
    } finally {
      process.off("unhandledRejection", onUnhandled);
    }
  });
});
