import { Client, credentials, Metadata, type ServiceError, status } from "@grpc/grpc-js";
import { OTLPTraceExporter as OTLPGrpcTraceExporter } from "@opentelemetry/exporter-trace-otlp-grpc";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { CompressionAlgorithm } from "@opentelemetry/otlp-exporter-base";
import { clearApiKeyCache, createApiKey, getPrisma } from "@spanlens/db";
import { readOtlpFailure } from "@spanlens/otlp/testing";
import { getRedis, readIngestProblems, type TIngestProblem } from "@spanlens/queue";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSpansWithOneBadTraceId, createTraceSpans, toJsonBody, toProtobufBody } from "./otlp-payloads.js";
import { getClickHouse, startPipeline, type TPipeline, waitFor } from "./pipeline-harness.js";

// The real receivers (OTLP/HTTP and OTLP/gRPC) recording into real Redis what they answered
// exports carrying a project's key; the worker and ClickHouse run as in the other pipeline tests.
const MAX_BODY_BYTES = 64 * 1024;
const TRACE_EXPORT = "/opentelemetry.proto.collector.trace.v1.TraceService/Export";
const USER_AGENT = "checkout-service/2.3 OTel-OTLP-Exporter-Custom/1.0";

let pipeline: TPipeline;
let grpcClient: Client;

beforeAll(async () => {
  process.env.INGEST_MAX_BODY_BYTES = String(MAX_BODY_BYTES);
  pipeline = await startPipeline();
  grpcClient = new Client(pipeline.grpcAddress, credentials.createInsecure());
});

afterAll(async () => {
  grpcClient.close();
  await pipeline.stop();
  delete process.env.INGEST_MAX_BODY_BYTES;
});

function post(path: string, body: Uint8Array | string, headers: Record<string, string>): Promise<Response> {
  return fetch(`${pipeline.baseUrl}${path}`, {
    method: "POST",
    headers: { "User-Agent": USER_AGENT, ...headers },
    body,
  });
}

const withKey = (secretKey: string, contentType = "application/x-protobuf") => ({
  "Content-Type": contentType,
  Authorization: `Bearer ${secretKey}`,
});

function grpcExport(body: Uint8Array, secretKey: string): Promise<ServiceError | null> {
  const metadata = new Metadata();
  metadata.set("authorization", `Bearer ${secretKey}`);
  const asBytes = (value: Buffer) => value;
  return new Promise((resolve) => {
    grpcClient.makeUnaryRequest(TRACE_EXPORT, asBytes, asBytes, Buffer.from(body), metadata, {}, (error) =>
      resolve(error ?? null),
    );
  });
}

/** The project's problems once `isDone` holds (the receiver writes them every two seconds). */
const problemsOf = (projectId: string, isDone: (problems: TIngestProblem[]) => boolean) =>
  waitFor(() => readIngestProblems(getRedis(), projectId), isDone);

describe("refused exports, as the project sees them", () => {
  it("records what the official exporter was answered when the receiver dropped a span, with its User-Agent", async () => {
    const project = await pipeline.createProject();
    const exporter = new OTLPTraceExporter({
      url: `${pipeline.baseUrl}/v1/traces`,
      headers: { Authorization: `Bearer ${project.secretKey}` },
    });
    const result = await new Promise<{ code: number; error?: Error }>((resolve) =>
      exporter.export(createSpansWithOneBadTraceId(), resolve),
    );
    await exporter.shutdown();
    // ExportResultCode.SUCCESS: the exporter took the partial success as delivered.
    expect(result).toEqual({ code: 0 });

    const [problem] = await problemsOf(project.projectId, (problems) => problems.length > 0);
    expect(problem).toMatchObject({
      status: 200,
      droppedRecords: 1,
      count: 1,
      transport: "http",
      signal: "traces",
      message: expect.stringMatching(/invalid trace_?id/i),
      userAgent: expect.stringMatching(/^OTel-OTLP-Exporter-JavaScript\/\d/),
    });
  });

  it("records each kind of refusal over HTTP and gRPC, counting repeats, and only for the key's project", async () => {
    const project = await pipeline.createProject();
    const bystander = await pipeline.createProject();
    const truncated = toProtobufBody(createTraceSpans(2)).slice(0, 40);

    const answers = [
      (await post("/v1/traces", truncated, withKey(project.secretKey))).status,
      (await post("/v1/traces", truncated, withKey(project.secretKey))).status,
      (await post("/v1/traces", "hello", withKey(project.secretKey, "text/plain"))).status,
      (
        await post(
          "/v1/traces",
          toJsonBody(createTraceSpans(40, 4_096)),
          withKey(project.secretKey, "application/json"),
        )
      ).status,
      (await post("/v1/metrics", new Uint8Array(0), withKey(project.secretKey))).status,
      // Without a valid key nobody's project is known: answered, not recorded.
      (await post("/v1/traces", truncated, { "Content-Type": "application/x-protobuf" })).status,
      (await post("/v1/traces", truncated, withKey("sk-sl-unknown"))).status,
      // An accepted export is not a problem.
      (await post("/v1/traces", toProtobufBody(createTraceSpans(2)), withKey(bystander.secretKey))).status,
    ];
    expect(answers).toEqual([400, 400, 415, 413, 404, 401, 401, 200]);
    expect((await grpcExport(truncated, project.secretKey))?.code).toBe(status.INVALID_ARGUMENT);
    // The bystander's one refusal, after its accepted export.
    expect((await post("/v1/logs", truncated, withKey(bystander.secretKey))).status).toBe(400);

    const problems = await problemsOf(project.projectId, (list) => list.length === 5);
    const summary = problems
      .map(({ status: answered, transport, signal, count, userAgent }) => ({
        answered,
        transport,
        signal,
        count,
        fromCaller: userAgent === USER_AGENT,
      }))
      .sort((a, b) => a.answered - b.answered || a.transport.localeCompare(b.transport));
    expect(summary).toEqual([
      { answered: 400, transport: "grpc", signal: "traces", count: 1, fromCaller: false },
      { answered: 400, transport: "http", signal: "traces", count: 2, fromCaller: true },
      { answered: 404, transport: "http", signal: "metrics", count: 1, fromCaller: true },
      { answered: 413, transport: "http", signal: "traces", count: 1, fromCaller: true },
      { answered: 415, transport: "http", signal: "traces", count: 1, fromCaller: true },
    ]);
    const byAnswer = (answered: number, transport = "http") =>
      problems.find((problem) => problem.status === answered && problem.transport === transport);
    expect(byAnswer(415)?.message).toMatch(/application\/x-protobuf or application\/json/);
    expect(byAnswer(413)?.message).toMatch(/exceeds 65536 bytes/);
    expect(byAnswer(404)?.message).toMatch(/OTEL_METRICS_EXPORTER=none/);
    expect(byAnswer(400, "grpc")).toMatchObject({
      userAgent: expect.stringMatching(/grpc-node-js/),
      grpcStatus: "INVALID_ARGUMENT",
    });
    expect(byAnswer(400)?.grpcStatus).toBe("");

    const bystanderProblems = await problemsOf(bystander.projectId, (list) => list.length > 0);
    expect(bystanderProblems.map(({ status: answered, signal }) => ({ answered, signal }))).toEqual([
      { answered: 400, signal: "logs" },
    ]);
  });

  it("records gRPC exports over the body limit, which grpc-js refuses itself, with the same message as over HTTP", async () => {
    const project = await pipeline.createProject();
    const metadata = new Metadata();
    metadata.set("authorization", `Bearer ${project.secretKey}`);
    // The OpenTelemetry SDK's gRPC exporter, plain and gzip: 2 spans of 64 KB attributes, over the 64 KiB limit.
    const errors: Array<string | undefined> = [];
    for (const compression of [CompressionAlgorithm.NONE, CompressionAlgorithm.GZIP]) {
      const exporter = new OTLPGrpcTraceExporter({ url: `http://${pipeline.grpcAddress}`, metadata, compression });
      const result = await new Promise<{ code: number; error?: Error }>((resolve) =>
        exporter.export(createTraceSpans(2, MAX_BODY_BYTES), resolve),
      );
      await exporter.shutdown();
      expect(result.code).toBe(1);
      errors.push(result.error?.message);
    }
    const message = `Request body exceeds ${MAX_BODY_BYTES} bytes after decompression: send smaller batches`;
    // Answered RESOURCE_EXHAUSTED with the receiver's own words, not grpc-js's.
    expect(errors).toEqual([expect.stringContaining(message), expect.stringContaining(message)]);

    const problems = await problemsOf(project.projectId, (list) => list.some((problem) => problem.count === 2));
    expect(problems).toEqual([
      expect.objectContaining({
        status: 413,
        grpcStatus: "RESOURCE_EXHAUSTED",
        transport: "grpc",
        signal: "traces",
        count: 2,
        message,
        userAgent: expect.stringMatching(/^OTel-OTLP-Exporter-JavaScript\/\d/),
      }),
    ]);
  });

  it("shows a revoked key's project which exporters still send with it, telling them only that the key is invalid", async () => {
    const project = await pipeline.createProject();
    const key = await createApiKey(project.projectId, "checkout-prod");
    await getPrisma().apiKey.update({ where: { id: key.id }, data: { revokedAt: new Date("2026-12-01T10:00:00Z") } });
    clearApiKeyCache();

    const answer = await post("/v1/traces", toProtobufBody(createTraceSpans(2)), withKey(key.secretKey));
    expect(answer.status).toBe(401);
    expect(await readOtlpFailure(answer)).toEqual({
      encoding: "protobuf",
      code: status.UNAUTHENTICATED,
      message: "Invalid API key: it is unknown or has been revoked",
    });
    expect((await grpcExport(toProtobufBody(createTraceSpans(1)), key.secretKey))?.code).toBe(status.UNAUTHENTICATED);

    const problems = await problemsOf(project.projectId, (list) => list.length === 2);
    const note = `The key "checkout-prod" (${key.publicKey}) was revoked on 2026-12-01: give this exporter a current key`;
    expect(
      problems
        .map(({ status: answered, grpcStatus, transport, message, note: shown }) => ({
          answered,
          grpcStatus,
          transport,
          message,
          shown,
        }))
        .sort((a, b) => a.transport.localeCompare(b.transport)),
    ).toEqual([
      {
        answered: 401,
        grpcStatus: "UNAUTHENTICATED",
        transport: "grpc",
        message: "Invalid API key: it is unknown or has been revoked",
        shown: note,
      },
      {
        answered: 401,
        grpcStatus: "",
        transport: "http",
        message: "Invalid API key: it is unknown or has been revoked",
        shown: note,
      },
    ]);
  });
});

describe("accepted exports the worker could not store, as the project sees them", () => {
  async function storedSpans(projectId: string): Promise<number> {
    const result = await getClickHouse().query({
      query: "SELECT count() AS n FROM spans FINAL WHERE project_id = {projectId:String}",
      query_params: { projectId },
      format: "JSONEachRow",
    });
    const [row] = await result.json<{ n: string }>();
    return Number(row?.n);
  }

  it("tells the project when the store refuses an accepted export's spans, and stores them once the cause is gone", async () => {
    const project = await pipeline.createProject();
    const bystander = await pipeline.createProject();
    // A CHECK on the table stands in for any row the engine refuses: this project's rows only.
    const constraint = `refuse_${project.projectId.replace(/\W/g, "_")}`;
    await getClickHouse().command({
      query: `ALTER TABLE spans ADD CONSTRAINT ${constraint} CHECK project_id != {projectId:String}`,
      query_params: { projectId: project.projectId },
    });
    try {
      const exported = await Promise.all(
        [project, bystander].map(async ({ secretKey }) => {
          const exporter = new OTLPTraceExporter({
            url: `${pipeline.baseUrl}/v1/traces`,
            headers: { Authorization: `Bearer ${secretKey}` },
          });
          const result = await new Promise<{ code: number }>((resolve) =>
            exporter.export(createTraceSpans(3), resolve),
          );
          await exporter.shutdown();
          return result.code;
        }),
      );
      // ExportResultCode.SUCCESS for both: the receiver accepted them, and the exporters hear no more.
      expect(exported).toEqual([0, 0]);

      const [problem] = await problemsOf(project.projectId, (list) => list.length > 0);
      expect(problem).toMatchObject({
        stage: "worker",
        status: 200,
        transport: "http",
        signal: "traces",
        droppedRecords: 0,
        keptRecords: 0,
        message: expect.stringMatching(/^ClickHouse refused rows of this request for spans: .*onstraint/),
        note: expect.stringMatching(/none of them are stored yet\. The worker retries it, 20 attempts in all/),
        userAgent: expect.stringMatching(/^OTel-OTLP-Exporter-JavaScript\/\d/),
      });
      // The bystander's rows went in, in the same batches.
      expect(
        await waitFor(
          () => storedSpans(bystander.projectId),
          (n) => n === 3,
        ),
      ).toBe(3);
      expect(await storedSpans(project.projectId)).toBe(0);
    } finally {
      await getClickHouse().command({ query: `ALTER TABLE spans DROP CONSTRAINT ${constraint}` });
    }
    // The job is retried with backoff, and goes in once the store takes its rows.
    expect(
      await waitFor(
        () => storedSpans(project.projectId),
        (n) => n === 3,
        30_000,
      ),
    ).toBe(3);
    expect(await readIngestProblems(getRedis(), bystander.projectId)).toEqual([]);
  });
});
