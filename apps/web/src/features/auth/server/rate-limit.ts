import { AppError } from "@spanlens/core";
import { getRedis } from "@spanlens/queue";
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";

interface TLimitSpec {
  keyPrefix: string;
  points: number;
  durationSeconds: number;
}

// Counters live in Redis so every web replica shares them; if Redis is unreachable the
// per-process memory limiter stands in rather than letting attempts through unlimited.
function createLimiter(spec: TLimitSpec): RateLimiterRedis {
  return new RateLimiterRedis({
    storeClient: getRedis(),
    keyPrefix: `spanlens:rl:${spec.keyPrefix}`,
    points: spec.points,
    duration: spec.durationSeconds,
    insuranceLimiter: new RateLimiterMemory({ points: spec.points, duration: spec.durationSeconds }),
  });
}

const SPECS = {
  /** Wrong passwords for one email from one address. */
  signInPerAccount: { keyPrefix: "sign-in-account", points: 10, durationSeconds: 15 * 60 },
  /**
   * Attempts on one email from anywhere: X-Forwarded-For can be forged where no proxy
   * overwrites it, so the per-address limits alone would not stop a guessing run.
   */
  signInPerEmail: { keyPrefix: "sign-in-email", points: 50, durationSeconds: 15 * 60 },
  /** All sign-in attempts from one address (spraying many emails). */
  signInPerIp: { keyPrefix: "sign-in-ip", points: 100, durationSeconds: 15 * 60 },
  signUpPerIp: { keyPrefix: "sign-up-ip", points: 20, durationSeconds: 60 * 60 },
  passwordChangePerUser: { keyPrefix: "password-change", points: 10, durationSeconds: 15 * 60 },
} satisfies Record<string, TLimitSpec>;

export type TRateLimitName = keyof typeof SPECS;

const holder = globalThis as typeof globalThis & {
  __spanlensAuthLimiters?: Partial<Record<TRateLimitName, RateLimiterRedis>>;
};

function getLimiter(name: TRateLimitName): RateLimiterRedis {
  holder.__spanlensAuthLimiters ??= {};
  holder.__spanlensAuthLimiters[name] ??= createLimiter(SPECS[name]);
  return holder.__spanlensAuthLimiters[name];
}

/** Counts one attempt; throws TOO_MANY_REQUESTS saying when to retry once the budget is spent. */
export async function consumeRateLimit(name: TRateLimitName, key: string): Promise<void> {
  try {
    await getLimiter(name).consume(key);
  } catch (error) {
    if (error instanceof RateLimiterRes) {
      const minutes = Math.max(1, Math.ceil(error.msBeforeNext / 60_000));
      throw new AppError("TOO_MANY_REQUESTS", `Too many attempts; try again in ${minutes} minute(s)`);
    }
    throw error;
  }
}

/** Forgets the attempts counted under a key (after a successful sign-in). */
export async function resetRateLimit(name: TRateLimitName, key: string): Promise<void> {
  await getLimiter(name).delete(key);
}
