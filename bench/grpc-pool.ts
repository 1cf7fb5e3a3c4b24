/**
 * The load generator's OTLP/gRPC client (`BENCH_PROTOCOL=grpc`): `channels` grpc-js clients,
 * each on a connection of its own, calling TraceService/Export with the request's bytes as
 * the message, uncompressed (the JavaScript and Python exporters' default). Calls go to the
 * channels in turn; each channel multiplexes its calls over one HTTP/2 connection.
 */
import { Client, credentials, Metadata, status } from "@grpc/grpc-js";
import type { THttpPool } from "./raw-http.js";

const TRACE_EXPORT = "/opentelemetry.proto.collector.trace.v1.TraceService/Export";
const asBytes = (value: Buffer): Buffer => value;

/** The HTTP status the benchmark counts each answer under, as the receiver answers OTLP/HTTP. */
const HTTP_STATUS: Partial<Record<status, number>> = {
  [status.OK]: 200,
  [status.INVALID_ARGUMENT]: 400,
  [status.UNAUTHENTICATED]: 401,
  [status.RESOURCE_EXHAUSTED]: 413,
  [status.UNAVAILABLE]: 503,
};

export class GrpcPool implements THttpPool {
  private readonly clients: Client[];
  private readonly metadata = new Metadata();
  private next = 0;

  constructor(address: string, authorization: string, channels: number) {
    this.metadata.set("authorization", authorization);
    // A local subchannel pool per client, or grpc-js would share one connection among them.
    this.clients = Array.from(
      { length: channels },
      () => new Client(address, credentials.createInsecure(), { "grpc.use_local_subchannel_pool": 1 }),
    );
  }

  post(body: Buffer): Promise<number> {
    const client = this.clients[this.next++ % this.clients.length] as Client;
    return new Promise((resolve) => {
      client.makeUnaryRequest(TRACE_EXPORT, asBytes, asBytes, body, this.metadata, {}, (error) =>
        resolve(error ? (HTTP_STATUS[error.code] ?? 500) : 200),
      );
    });
  }

  destroy(): void {
    for (const client of this.clients) client.close();
  }
}
