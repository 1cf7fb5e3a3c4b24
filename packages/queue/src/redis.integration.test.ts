import { afterAll, describe, expect, it } from "vitest";
import { assertRedisReachable, checkRedis, closeRedis, getRedis } from "./redis.js";

afterAll(async () => {
  await closeRedis();
});

describe("redis", () => {
  it("answers the health check and shares one connection per process", async () => {
    await expect(checkRedis()).resolves.toBeUndefined();
    expect(getRedis()).toBe(getRedis());
  });

  it("names REDIS_URL when the server cannot be reached", async () => {
    await expect(assertRedisReachable("redis://127.0.0.1:1", 1_000)).rejects.toThrow(
      /^REDIS_URL \(redis:\/\/127\.0\.0\.1:1\) is unreachable: /,
    );
  });

  it("hides the password of an unreachable URL", async () => {
    await expect(assertRedisReachable("redis://:hunter2@127.0.0.1:1", 1_000)).rejects.toThrow(/\*\*\*/);
    await expect(assertRedisReachable("redis://:hunter2@127.0.0.1:1", 1_000)).rejects.not.toThrow(/hunter2/);
  });
});
