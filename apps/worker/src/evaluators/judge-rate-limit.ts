import { getRedis, queuePrefix } from "@spanlens/queue";

const WINDOW_MS = 60_000;

/**
 * Takes one request slot for a provider in the current minute; returns 0 when the call
 * may go ahead, else how long to wait for the next window. A fixed window counter in
 * Redis (INCR + PEXPIRE) is shared by every worker replica; BullMQ's own limiter is per
 * queue, not per provider, and a sliding window buys nothing at per-minute granularity.
 */
export async function takeJudgeRateSlot(
  projectId: string,
  provider: string,
  requestsPerMinute: number,
): Promise<number> {
  const now = Date.now();
  const windowStart = Math.floor(now / WINDOW_MS) * WINDOW_MS;
  const key = `${queuePrefix()}:judge-rate:${projectId}:${provider}:${windowStart}`;
  const results = await getRedis()
    .multi()
    .incr(key)
    .pexpire(key, WINDOW_MS * 2)
    .exec();
  const count = Number(results?.[0]?.[1] ?? 0);
  if (count <= requestsPerMinute) return 0;
  // Spread the delayed jobs over the first second of the next window.
  return windowStart + WINDOW_MS - now + Math.floor(Math.random() * 1000);
}
