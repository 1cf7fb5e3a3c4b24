import { randomUUID } from "node:crypto";
import { QueueName } from "@spanlens/core";
import { Queue } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  closeQueues,
  deleteQueuePrefix,
  getQueue,
  OTLP_BODY_TTL_SECONDS,
  otlpBodyKey,
  queueConnection,
} from "./queues.js";
import { createRedis } from "./redis.js";

const prefixId = randomUUID();

beforeAll(() => {
  process.env.SPANLENS_QUEUE_PREFIX = `test-${prefixId}`;
});

afterAll(async () => {
  await deleteQueuePrefix(`test-${prefixId}`, await queueConnection(getQueue(QueueName.OtlpIngest)));
  await closeQueues();
});

describe("queue producer", () => {
  it("sends what concurrent requests enqueue in one turn as a few writes, each body ahead of its job", async () => {
    const queue = getQueue(QueueName.OtlpIngest);
    const client = await queueConnection(queue);
    await client.ping();
    const stream = (client as unknown as { stream: { write: (...args: unknown[]) => boolean } }).stream;
    const write = stream.write;
    let writes = 0;
    stream.write = (...args: unknown[]) => {
      writes += 1;
      return write.apply(stream, args);
    };
    // Redis's own view of the order in which commands ran.
    const observer = createRedis();
    const monitor = await observer.monitor();
    const order: string[] = [];
    const marker = `marker-${randomUUID()}`;
    let markerSeen: () => void = () => undefined;
    const sawMarker = new Promise<void>((resolve) => {
      markerSeen = resolve;
    });
    monitor.on("monitor", (_time: string, args: string[]) => {
      if (args[1] === marker) markerSeen();
      // Other test files share this Redis: only this queue's commands count.
      if (!args.some((arg) => arg.includes(prefixId))) return;
      // The body's SET and the script that adds the job (not the commands the script runs),
      // by the request id they carry (every other UUID in them is the queue prefix's).
      const kind = { set: "body", evalsha: "job", eval: "job" }[(args[0] ?? "").toLowerCase()];
      const requestId = args
        .slice(1)
        .join(" ")
        .match(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g)
        ?.find((id) => id !== prefixId);
      if (kind && requestId) order.push(`${kind} ${requestId}`);
    });
    const requests = 100;
    try {
      // As the receiver enqueues: the body's SET, then the job, on the queue's connection.
      await Promise.all(
        Array.from({ length: requests }, async (_, index) => {
          const requestId = randomUUID();
          await Promise.all([
            client.set(otlpBodyKey(requestId), `body ${index}`, "EX", OTLP_BODY_TTL_SECONDS),
            queue.add("traces", { requestId, index }, { jobId: requestId }),
          ]);
        }),
      );
    } finally {
      stream.write = write;
    }
    // Redis feeds MONITOR in the order it runs commands: once the marker is seen, so is
    // everything before it.
    await client.get(marker);
    await sawMarker;
    monitor.disconnect();
    observer.disconnect();
    // Without pipelining every command is a write of its own (200 here).
    expect(writes).toBeLessThan(requests / 4);

    expect(new Set(order).size).toBe(2 * requests);
    for (const entry of order.filter((line) => line.startsWith("job "))) {
      const requestId = entry.slice("job ".length);
      expect(order.indexOf(`body ${requestId}`), `body of ${requestId} before its job`).toBeGreaterThanOrEqual(0);
      expect(order.indexOf(`body ${requestId}`)).toBeLessThan(order.indexOf(entry));
    }
    expect(order.filter((line) => line.startsWith("job "))).toHaveLength(requests);

    const jobs = await queue.getJobs(["wait"], 0, -1);
    expect(jobs).toHaveLength(requests);
    const bodies = await client.mget(...jobs.map((job) => otlpBodyKey(job.data.requestId)));
    expect(bodies).toEqual(jobs.map((job) => `body ${job.data.index}`));
  });
});

describe("deleteQueuePrefix", () => {
  it("removes a prefix's jobs, event streams and bodies, and nothing under another prefix", async () => {
    const prefix = `test-${randomUUID()}`;
    const neighbour = `${prefix}x`;
    const redis = createRedis();
    try {
      const queue = new Queue(QueueName.OtlpIngest, { connection: redis, prefix });
      for (let index = 0; index < 1_500; index += 1) {
        await redis.set(`${prefix}:otlp-body:${index}`, "body");
      }
      await queue.add("traces", { requestId: "r1" }, { jobId: "r1" });
      await queue.close();
      await redis.set(`${neighbour}:otlp-body:kept`, "body");
      const before = await redis.keys(`${prefix}:*`);
      // Bodies, the job's hash, its wait list, event stream and id counters.
      expect(before.length).toBeGreaterThan(1_500);

      const deleted = await deleteQueuePrefix(prefix, redis);

      expect(deleted).toBe(before.length);
      expect(await redis.keys(`${prefix}:*`)).toEqual([]);
      expect(await redis.get(`${neighbour}:otlp-body:kept`)).toBe("body");
      await redis.del(`${neighbour}:otlp-body:kept`);
      await expect(deleteQueuePrefix("", redis)).rejects.toThrow(/non-empty prefix/);
    } finally {
      redis.disconnect();
    }
  });
});
