import { randomUUID } from "node:crypto";
import { type AddressInfo, connect, createServer } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createIngestProblemRecorder,
  INGEST_PROBLEMS_KEPT,
  INGEST_PROBLEMS_TTL_SECONDS,
  ingestProblemsKey,
  readIngestProblems,
  type TIngestProblemEvent,
} from "./ingest-problems.js";
import { deleteQueuePrefix, queuePrefix } from "./queues.js";
import { closeRedis, createRedis, getRedis } from "./redis.js";

// Real Redis, under a key prefix of this file's own.
beforeAll(() => {
  process.env.SPANLENS_QUEUE_PREFIX = `test-${randomUUID()}`;
});

afterAll(async () => {
  await deleteQueuePrefix(queuePrefix(), getRedis());
  await closeRedis();
});

const badData: TIngestProblemEvent = {
  transport: "http",
  signal: "traces",
  status: 400,
  message: "invalid protobuf: index out of range",
  userAgent: "OTel-OTLP-Exporter-JavaScript/0.208.0",
};

/** A recorder whose clock the test sets, flushed only when the test says. */
function recorder() {
  let clock = Date.parse("2026-12-06T10:00:00.000Z");
  const problems = createIngestProblemRecorder({ redis: getRedis, flushMs: 3_600_000, now: () => clock });
  return { problems, advance: (ms: number) => (clock += ms) };
}

describe("ingest problem recorder", () => {
  it("counts the same problem once per flush, keeps different ones apart, and lists the newest first", async () => {
    const { problems, advance } = recorder();
    const project = randomUUID();
    problems.record(project, badData);
    advance(1_000);
    problems.record(project, badData);
    advance(1_000);
    problems.record(project, { ...badData, transport: "grpc", userAgent: "grpc-node-js/1.14.3" });
    await problems.flush();
    advance(60_000);
    problems.record(project, { ...badData, status: 200, message: "invalid traceId", droppedRecords: 2 });
    problems.record(project, { ...badData, status: 200, message: "invalid traceId", droppedRecords: 3 });
    await problems.close();

    const listed = await readIngestProblems(getRedis(), project);
    expect(
      listed.map(({ status, transport, count, droppedRecords }) => ({ status, transport, count, droppedRecords })),
    ).toEqual([
      { status: 200, transport: "http", count: 2, droppedRecords: 5 },
      { status: 400, transport: "grpc", count: 1, droppedRecords: 0 },
      { status: 400, transport: "http", count: 2, droppedRecords: 0 },
    ]);
    expect(listed[2]).toMatchObject({
      firstAt: Date.parse("2026-12-06T10:00:00.000Z"),
      at: Date.parse("2026-12-06T10:00:01.000Z"),
      message: badData.message,
      userAgent: badData.userAgent,
    });
    // Another project's list is its own.
    expect(await readIngestProblems(getRedis(), randomUUID())).toEqual([]);
  });

  it("keeps the worker's problems apart from the receiver's, summing the spans each stored as sent", async () => {
    const { problems } = recorder();
    const project = randomUUID();
    const kept = { ...badData, status: 200, message: "Normalizing spans failed: boom", stage: "worker" } as const;
    problems.record(project, { ...badData, status: 200, message: "Normalizing spans failed: boom" });
    problems.record(project, { ...kept, keptRecords: 2 });
    problems.record(project, { ...kept, keptRecords: 3 });
    await problems.close();
    const listed = await readIngestProblems(getRedis(), project);
    expect(listed.map(({ stage, count, keptRecords }) => ({ stage, count, keptRecords }))).toEqual([
      { stage: "worker", count: 2, keptRecords: 5 },
      { stage: "receiver", count: 1, keptRecords: 0 },
    ]);
  });

  it("reads entries written before the worker's fields existed as the receiver's", async () => {
    const project = randomUUID();
    const {
      stage: _stage,
      keptRecords: _kept,
      ...older
    } = {
      ...badData,
      at: 2,
      firstAt: 1,
      count: 1,
      droppedRecords: 0,
      note: "",
      grpcStatus: "",
      stage: "receiver",
      keptRecords: 0,
    };
    await getRedis().lpush(ingestProblemsKey(project), JSON.stringify(older));
    expect(await readIngestProblems(getRedis(), project)).toEqual([{ ...older, stage: "receiver", keptRecords: 0 }]);
  });

  it(`keeps the last ${INGEST_PROBLEMS_KEPT} problems of a project, expiring a week after the last`, async () => {
    const { problems, advance } = recorder();
    const project = randomUUID();
    for (let flush = 0; flush < 8; flush += 1) {
      // A client sending many kinds of bad data adds at most 20 distinct problems per flush.
      for (let kind = 0; kind < 30; kind += 1)
        problems.record(project, { ...badData, message: `flush ${flush} #${kind}` });
      advance(2_000);
      await problems.flush();
    }
    const listed = await readIngestProblems(getRedis(), project);
    expect(listed).toHaveLength(INGEST_PROBLEMS_KEPT);
    expect(listed[0]?.message).toMatch(/^flush 7 #/);
    expect(listed.at(-1)?.message).toMatch(/^flush 3 #/);
    expect(listed.every((problem) => !/#(2\d)$/.test(problem.message))).toBe(true);
    const ttl = await getRedis().ttl(ingestProblemsKey(project));
    expect(ttl).toBeGreaterThan(INGEST_PROBLEMS_TTL_SECONDS - 60);
    expect(ttl).toBeLessThanOrEqual(INGEST_PROBLEMS_TTL_SECONDS);
    await problems.close();
  });

  it("skips an entry it cannot read", async () => {
    const project = randomUUID();
    const { problems } = recorder();
    problems.record(project, badData);
    await problems.close();
    await getRedis().lpush(ingestProblemsKey(project), "not json", JSON.stringify({ status: "four hundred" }));
    expect((await readIngestProblems(getRedis(), project)).map((problem) => problem.status)).toEqual([400]);
  });

  it("keeps one write waiting while Redis is away, counts what comes meanwhile, and writes it once Redis is back", async () => {
    // Redis behind a port that answers nothing until the test opens it, forwarding to the real one.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    const target = new URL(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
    // A client as the receiver's: it queues commands while disconnected and keeps reconnecting.
    const flaky = createRedis(`redis://127.0.0.1:${port}${target.pathname}`, {
      retryStrategy: () => 50,
    });
    const queued = () => (flaky as unknown as { offlineQueue: { length: number } }).offlineQueue.length;
    const problems = createIngestProblemRecorder({ redis: () => flaky, flushMs: 20 });
    const projectId = randomUUID();
    const forwarder = createServer((client) => {
      const upstream = connect(Number(target.port || 6379), target.hostname);
      client.pipe(upstream).pipe(client);
      client.on("error", () => upstream.destroy());
      upstream.on("error", () => client.destroy());
    });
    try {
      // Every interval has a problem to write while Redis is away.
      for (let tick = 0; tick < 15; tick += 1) {
        problems.record(projectId, badData);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      // One pipeline of three commands waits in the client, not one per interval.
      expect(queued()).toBe(3);
      await new Promise<void>((resolve) => forwarder.listen(port, "127.0.0.1", resolve));
      await problems.flush();
      const stored = await readIngestProblems(getRedis(), projectId);
      // What the first write carried and what was counted while it waited: all 15.
      expect(stored.reduce((sum, problem) => sum + problem.count, 0)).toBe(15);
      expect(stored.length).toBeLessThanOrEqual(2);
    } finally {
      await problems.close();
      flaky.disconnect();
      await new Promise((resolve) => forwarder.close(resolve));
    }
  });

  it("drops what it cannot write when Redis is away, without throwing", async () => {
    const away = createRedis("redis://127.0.0.1:1", {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      retryStrategy: () => null,
    });
    const problems = createIngestProblemRecorder({ redis: () => away, flushMs: 3_600_000 });
    problems.record(randomUUID(), badData);
    await expect(problems.close()).resolves.toBeUndefined();
    away.disconnect();
  });
});
