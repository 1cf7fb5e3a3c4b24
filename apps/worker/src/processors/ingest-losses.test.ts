import { RefusedRowsError } from "@spanlens/clickhouse";
import type { TOtlpIngestJob } from "@spanlens/core";
import type { TIngestProblemEvent } from "@spanlens/queue";
import { type Job, UnrecoverableError } from "bullmq";
import { describe, expect, it } from "vitest";
import { createIngestLossReporter } from "./ingest-losses.js";
import { BodyExpiredError, EncodeStuckError } from "./otlp-ingest-processor.js";

const data: TOtlpIngestJob = {
  projectId: "p1",
  requestId: "r1",
  signal: "traces",
  encoding: "protobuf",
  bodyKey: "body:r1",
  compression: "gzip",
  receivedAt: 1,
  bytes: 2_000,
  records: 12,
  transport: "grpc",
  userAgent: "OTel-OTLP-Exporter-JavaScript/0.301.1",
};

/** A job as BullMQ hands it to `failed`: the attempt just made already counted. */
const failedJob = (attemptsMade: number, jobData: unknown = data, stalledCounter = 0) =>
  ({ data: jobData, opts: { attempts: 20 }, attemptsMade, stalledCounter }) as unknown as Job;

function setup(apartAfterStalls = 2) {
  const recorded: [string, TIngestProblemEvent][] = [];
  const reporter = createIngestLossReporter(
    { record: (projectId, event) => void recorded.push([projectId, event]) },
    { apartAfterStalls },
  );
  return { reporter, recorded };
}

const refusal = () => new RefusedRowsError("spans", new Error("Cannot parse input: expected '\"' before: 'x'"));

describe("createIngestLossReporter", () => {
  it("reports a job failed for good after its last attempt, counting its records as lost", () => {
    const { reporter, recorded } = setup();
    reporter.failed(failedJob(20), new Error("ClickHouse is not answering"));
    expect(recorded).toEqual([
      [
        "p1",
        {
          stage: "worker",
          status: 200,
          signal: "traces",
          transport: "grpc",
          userAgent: "OTel-OTLP-Exporter-JavaScript/0.301.1",
          message: "ClickHouse is not answering",
          droppedRecords: 12,
          note: expect.stringMatching(
            /^Accepted, then not stored after 20 attempts\. .*pnpm queue:retry-failed\) within 7 days of its arrival; after that its spans are lost\.$/,
          ),
        },
      ],
    ]);
  });

  it("reports an unrecoverable failure at its first attempt as lost for good, saying whether a retry can store it", () => {
    const { reporter, recorded } = setup();
    reporter.failed(failedJob(1, { ...data, signal: "logs" }), new BodyExpiredError("the body expired"));
    // BullMQ's own, for a job whose workers stopped under it more often than it allows: the body is still there.
    reporter.failed(failedJob(2, data, 6), new UnrecoverableError("job stalled more than allowable limit"));
    reporter.failed(failedJob(2, data), new EncodeStuckError("encoding took longer than 150 ms on two attempts"));
    expect(recorded).toEqual([
      [
        "p1",
        expect.objectContaining({
          signal: "logs",
          droppedRecords: 12,
          note: "Accepted, then not stored: no retry can store it, so its log records are lost.",
        }),
      ],
      [
        "p1",
        expect.objectContaining({
          message:
            "The worker stopped (crashed, was killed or ran out of memory) each of the 6 times it held this export",
          droppedRecords: 12,
          note: expect.stringMatching(
            /^Accepted, then not stored\. The last time it ran with no other export beside it and the worker still stopped, .* The exports held beside it ran again without it\. The job is kept as failed: .*pnpm queue:retry-failed/,
          ),
        }),
      ],
      [
        "p1",
        expect.objectContaining({
          message: "encoding took longer than 150 ms on two attempts",
          droppedRecords: 12,
          note: expect.stringMatching(
            /^Accepted, then not stored: decoding and normalizing it ran past the worker's time limit on two attempts, .* The job is kept as failed: .*pnpm queue:retry-failed/,
          ),
        }),
      ],
    ]);
  });

  it("does not claim a job stalled too often ran alone when no job runs alone", () => {
    const { reporter, recorded } = setup(0);
    reporter.failed(failedJob(1, data, 1), new UnrecoverableError("job stalled more than allowable limit"));
    expect(recorded[0]?.[1]).toMatchObject({
      message: "The worker stopped (crashed, was killed or ran out of memory) the one time it held this export",
      note: expect.stringMatching(/^Accepted, then not stored\. The job is kept as failed: /),
    });
  });

  it("reports each attempt the store refuses the request's own rows, before its last, as not stored yet", () => {
    const { reporter, recorded } = setup();
    reporter.failed(failedJob(1), refusal());
    reporter.failed(failedJob(2), refusal());
    expect(recorded).toHaveLength(2);
    expect(recorded[0]?.[1]).toEqual({
      stage: "worker",
      status: 200,
      signal: "traces",
      transport: "grpc",
      userAgent: "OTel-OTLP-Exporter-JavaScript/0.301.1",
      message: "ClickHouse refused rows of this request for spans: Cannot parse input: expected '\"' before: 'x'",
      note: "Accepted, but the store refused its spans, so none of them are stored yet. The worker retries it, 20 attempts in all; unless the data or the store changes, each fails the same way.",
    });
    // At the last attempt it is lost, and said so.
    reporter.failed(failedJob(20), refusal());
    expect(recorded[2]?.[1]).toMatchObject({ droppedRecords: 12, note: expect.stringMatching(/^Accepted, then not/) });
  });

  it("leaves to the operator, unreported, a failed attempt for any other cause, and jobs it cannot read", () => {
    const { reporter, recorded } = setup();
    reporter.failed(failedJob(3), new Error("connect ECONNREFUSED 127.0.0.1:8123"));
    reporter.failed(failedJob(20, { projectId: "p1", compression: "brotli" }), new Error("job payload"));
    reporter.failed(undefined, new Error("no job"));
    expect(recorded).toEqual([]);
  });

  it("reports spans stored as sent, with the first error cut short, and jobs queued before their source was kept", () => {
    const { reporter, recorded } = setup();
    const { transport: _transport, userAgent: _userAgent, ...older } = data;
    reporter.keptAsSent(older, 3, `Cannot read properties of undefined ${"x".repeat(1_000)}`);
    expect(recorded).toHaveLength(1);
    const [projectId, event] = recorded[0] ?? [];
    expect(projectId).toBe("p1");
    expect(event).toMatchObject({
      stage: "worker",
      status: 200,
      keptRecords: 3,
      transport: "http",
      userAgent: "",
      note: expect.stringContaining("spanlens.normalization_error"),
    });
    expect(event?.message).toMatch(/^Normalizing spans failed: Cannot read properties of undefined x+$/);
    expect(event?.message.length).toBe("Normalizing spans failed: ".length + 500);
  });
});
