import { connect, createServer, type Server, type Socket } from "node:net";
import { Client, credentials, Metadata, type ServiceError, status } from "@grpc/grpc-js";
import { readOtlpFailure } from "@spanlens/otlp/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTraceSpans, toProtobufBody } from "./otlp-payloads.js";
import { getClickHouse, startPipeline, type TPipeline, waitFor } from "./pipeline-harness.js";

/**
 * Postgres behind a TCP proxy this test can cut, as a database restart or a network
 * partition does. While cut, connections are accepted and never answered: the case in which
 * a client waits longest.
 */
function createPostgresProxy(target: URL) {
  const sockets = new Set<Socket>();
  let answering = true;
  const server: Server = createServer((client) => {
    sockets.add(client);
    client.on("close", () => sockets.delete(client));
    client.on("error", () => undefined);
    if (!answering) return;
    const upstream = connect(Number(target.port), target.hostname);
    sockets.add(upstream);
    upstream.on("close", () => sockets.delete(upstream));
    upstream.on("error", () => client.destroy());
    client.on("error", () => upstream.destroy());
    client.pipe(upstream).pipe(client);
  });
  return {
    async listen(): Promise<number> {
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      return (server.address() as { port: number }).port;
    },
    cut() {
      answering = false;
      for (const socket of sockets) socket.destroy();
    },
    restore() {
      answering = true;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

const databaseUrl = process.env.DATABASE_URL ?? "";
const proxy = createPostgresProxy(new URL(databaseUrl));
let pipeline: TPipeline;

beforeAll(async () => {
  const port = await proxy.listen();
  const proxied = new URL(databaseUrl);
  proxied.port = String(port);
  process.env.DATABASE_URL = proxied.toString();
  pipeline = await startPipeline();
});

afterAll(async () => {
  proxy.restore();
  await pipeline.stop();
  await proxy.close();
  process.env.DATABASE_URL = databaseUrl;
});

function post(secretKey: string, body: Uint8Array) {
  return fetch(`${pipeline.baseUrl}/v1/traces`, {
    method: "POST",
    headers: { "Content-Type": "application/x-protobuf", Authorization: `Bearer ${secretKey}` },
    body,
  });
}

/** One OTLP/gRPC TraceService export, as any gRPC exporter puts it on the wire. */
function grpcExport(secretKey: string, body: Uint8Array): Promise<ServiceError | null> {
  const client = new Client(pipeline.grpcAddress, credentials.createInsecure());
  const metadata = new Metadata();
  metadata.set("authorization", `Bearer ${secretKey}`);
  const asBytes = (value: Buffer) => value;
  return new Promise((resolve) => {
    client.makeUnaryRequest(
      "/opentelemetry.proto.collector.trace.v1.TraceService/Export",
      asBytes,
      asBytes,
      Buffer.from(body),
      metadata,
      {},
      (error) => {
        client.close();
        resolve(error ?? null);
      },
    );
  });
}

async function storedSpans(projectId: string, traceId: string): Promise<number> {
  const result = await getClickHouse().query({
    query:
      "SELECT count() AS spans FROM spans FINAL WHERE project_id = {projectId:String} AND trace_id = {traceId:String}",
    query_params: { projectId, traceId },
    format: "JSONEachRow",
  });
  const [row] = await result.json<{ spans: string | number }>();
  return Number(row?.spans ?? 0);
}

describe("ingest while Postgres is away", () => {
  it("keeps taking exports with a key in use, answers 503 (UNAVAILABLE over gRPC) for a key it has not seen, and takes that once Postgres is back", async () => {
    const other = await pipeline.createProject();
    const before = createTraceSpans(3);
    expect((await post(pipeline.secretKey, toProtobufBody(before))).status).toBe(200);

    proxy.cut();
    // Past the lookups' 5 s cache: each key is looked up again, and Postgres does not answer.
    await new Promise((resolve) => setTimeout(resolve, 5_500));
    const during = createTraceSpans(3);
    const started = performance.now();
    const accepted = await post(pipeline.secretKey, toProtobufBody(during));
    expect(accepted.status).toBe(200);
    const refused = await post(other.secretKey, toProtobufBody(createTraceSpans(3)));
    // Both answered after the 2 s a lookup is waited on, not a connect timeout.
    expect(performance.now() - started).toBeLessThan(8_000);
    expect(refused.status).toBe(503);
    expect(refused.headers.get("retry-after")).toMatch(/^\d+$/);
    expect(await readOtlpFailure(refused)).toEqual({
      encoding: "protobuf",
      code: status.UNAVAILABLE,
      message: "API keys cannot be checked right now (the database is not answering): retry after the delay",
    });
    // Over gRPC the same: OK for the key in use, UNAVAILABLE (which exporters retry) for the other.
    const overGrpc = createTraceSpans(3);
    expect(await grpcExport(pipeline.secretKey, toProtobufBody(overGrpc))).toBeNull();
    const grpcRefusal = await grpcExport(other.secretKey, toProtobufBody(createTraceSpans(3)));
    expect(grpcRefusal).toMatchObject({
      code: status.UNAVAILABLE,
      details: "API keys cannot be checked right now (the database is not answering): retry after the delay",
    });
    await waitFor(
      () => storedSpans(pipeline.projectId, overGrpc[0]?.spanContext().traceId ?? ""),
      (spans) => spans === 3,
    );
    const traceId = during[0]?.spanContext().traceId ?? "";
    await waitFor(
      () => storedSpans(pipeline.projectId, traceId),
      (spans) => spans === 3,
    );

    proxy.restore();
    // The exporter's retry once the database answers again.
    const retried = createTraceSpans(3);
    await waitFor(
      async () => (await post(other.secretKey, toProtobufBody(retried))).status,
      (status) => status === 200,
      20_000,
    );
    await waitFor(
      () => storedSpans(other.projectId, retried[0]?.spanContext().traceId ?? ""),
      (spans) => spans === 3,
    );
  });
});
