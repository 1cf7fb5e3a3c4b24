import {
  type handleUnaryCall,
  Metadata,
  type MethodDefinition,
  Server,
  ServerCredentials,
  type ServerErrorResponse,
  ServerInterceptingCall,
  type ServerInterceptor,
  setLogger,
  status,
} from "@grpc/grpc-js";
import { childLogger, type TOtlpIngestJob, toErrorResponse } from "@spanlens/core";
import type { TApiKeyPrincipal } from "@spanlens/db";
import {
  bodyTooLarge,
  decodeHealthCheckService,
  encodeHealthCheckResponse,
  encodeRetryStatus,
  grpcCodeForHttpStatus,
  HEALTH_SERVING,
  LOGS_SENT_TO_TRACES_MESSAGE,
} from "@spanlens/otlp";
import type { TGrpcPortSetting } from "./config.js";
import { createExportIntake, type TExportIntake, type TIntakeConfig } from "./intake.js";

const log = childLogger("ingest");

// The request and response stay bytes: the receiver's own decoder reads the request, as it
// does for OTLP/HTTP, so both transports validate and count exactly alike.
const asBytes = (value: Buffer): Buffer => value;

function bytesMethod(path: string): MethodDefinition<Buffer, Buffer> {
  return {
    path,
    requestStream: false,
    responseStream: false,
    requestSerialize: asBytes,
    requestDeserialize: asBytes,
    responseSerialize: asBytes,
    responseDeserialize: asBytes,
  };
}

/** The OTLP/gRPC services this receiver implements; an export of metrics gets UNIMPLEMENTED. */
const SERVICES: ReadonlyArray<{ signal: TOtlpIngestJob["signal"]; path: string }> = [
  { signal: "traces", path: "/opentelemetry.proto.collector.trace.v1.TraceService/Export" },
  { signal: "logs", path: "/opentelemetry.proto.collector.logs.v1.LogsService/Export" },
];

/** The decoder names OTLP/HTTP paths; over gRPC the same mistake is named by its services. */
const LOGS_SENT_TO_TRACE_SERVICE =
  "request looks like an OTLP logs export sent to TraceService/Export; send logs to LogsService/Export";

const HEALTH_CHECK_PATH = "/grpc.health.v1.Health/Check";
/** What a health check may ask about: the server as a whole ("") or one of its services. */
const HEALTH_SERVICES = new Set(["", ...SERVICES.map((service) => service.path.split("/")[1] ?? "")]);

/**
 * grpc.health.v1 `Check`, which gRPC load balancers and Kubernetes' gRPC probes call: the
 * receiver is serving while it answers at all (a call that reaches Redis or Postgres is
 * what exports are for); an unknown service is NOT_FOUND, as the protocol says.
 */
const healthCheck: handleUnaryCall<Buffer, Buffer> = (call, callback) => {
  let service: string;
  try {
    service = decodeHealthCheckService(call.request);
  } catch {
    callback(Object.assign(new Error("malformed HealthCheckRequest"), { code: status.INVALID_ARGUMENT }));
    return;
  }
  if (!HEALTH_SERVICES.has(service)) {
    callback(Object.assign(new Error(`unknown service ${service}`), { code: status.NOT_FOUND }));
    return;
  }
  callback(null, encodeHealthCheckResponse(HEALTH_SERVING));
};

export function toGrpcError(error: unknown, retryAfterSeconds: number): ServerErrorResponse {
  const { status: httpStatus, body } = toErrorResponse(error);
  if (body.error.message === LOGS_SENT_TO_TRACES_MESSAGE) body.error.message = LOGS_SENT_TO_TRACE_SERVICE;
  const code: status = grpcCodeForHttpStatus(httpStatus);
  const metadata = new Metadata();
  if (httpStatus === 429 || httpStatus === 503) {
    metadata.set("grpc-status-details-bin", encodeRetryStatus(code, body.error.message, retryAfterSeconds));
  }
  return Object.assign(new Error(body.error.message), { code, details: body.error.message, metadata });
}

function exportHandler(
  intake: TExportIntake,
  signal: TOtlpIngestJob["signal"],
  config: TIntakeConfig,
): handleUnaryCall<Buffer, Buffer> {
  return (call, callback) => {
    const [userAgent] = call.metadata.get("user-agent");
    const source = { transport: "grpc", userAgent: typeof userAgent === "string" ? userAgent : "" } as const;
    let principal: TApiKeyPrincipal | null = null;
    const run = async () => {
      // Metadata keys arrive lowercased; exporters send the same header as over HTTP.
      const [authorization] = call.metadata.get("authorization");
      principal = await intake.authenticate(typeof authorization === "string" ? authorization : null);
      await intake.checkCapacity(principal.projectId);
      // grpc-js decompresses a gzip message before the handler sees it, and refuses one past
      // `grpc.max_receive_message_length` (the body limit) after decompression itself.
      const message = call.request;
      const reservation = await intake.reserve(message.length, principal.projectId);
      try {
        const response = await intake.accept(
          principal,
          signal,
          "protobuf",
          { sent: message, compression: "identity", decoded: message },
          source,
        );
        return Buffer.from(response.buffer, response.byteOffset, response.byteLength);
      } finally {
        reservation.release();
      }
    };
    run().then(
      (response) => callback(null, response),
      (error: unknown) => {
        const grpcError = toGrpcError(error, config.retryAfterSeconds);
        if (grpcError.code === status.INTERNAL) log.error({ err: error, path: call.getPath() }, "ingest export failed");
        const refusal = {
          ...source,
          signal,
          status: toErrorResponse(error).status,
          grpcStatus: status[grpcError.code ?? status.UNKNOWN],
          message: grpcError.message,
        };
        intake.refused(principal, error, refusal);
        callback(grpcError);
      },
    );
  };
}

/** How grpc-js words its refusal of a message over its receive limit, compressed or not. */
const OVER_RECEIVE_LIMIT = /^Received message (larger than max|that decompresses to a size larger than)/;

/**
 * Records exports over the body limit in the project's ingest problems, as the HTTP receiver
 * does, and answers them with the same message. grpc-js refuses such a message itself
 * (`grpc.max_receive_message_length`, checked before the message is read whole, and again as
 * it decompresses) and answers RESOURCE_EXHAUSTED before the handler, or any interceptor's
 * listener, learns of the call; the exporter's key came with the call's metadata, though.
 * grpc-js has no hook for its own answers: the first interceptor is handed grpc-js's call,
 * through whose `sendStatus` those answers go, and this one wraps it (a test holds grpc-js to
 * that).
 */
function overLimitRecorder(intake: TExportIntake, config: TIntakeConfig): ServerInterceptor {
  const signalByPath = new Map(SERVICES.map((service) => [service.path, service.signal]));
  return (method, call) => {
    const signal = signalByPath.get(method.path);
    if (!signal) return new ServerInterceptingCall(call);
    let metadata: Metadata | null = null;
    const send = call.sendStatus.bind(call);
    call.sendStatus = (answer) => {
      if (answer.code !== status.RESOURCE_EXHAUSTED || !OVER_RECEIVE_LIMIT.test(answer.details)) return send(answer);
      const error = bodyTooLarge(config.maxBodyBytes);
      send({ ...answer, details: error.message });
      const [authorization] = metadata?.get("authorization") ?? [];
      const [userAgent] = metadata?.get("user-agent") ?? [];
      const refusal = {
        transport: "grpc",
        userAgent: typeof userAgent === "string" ? userAgent : "",
        signal,
        status: toErrorResponse(error).status,
        grpcStatus: status[status.RESOURCE_EXHAUSTED],
        message: error.message,
      } as const;
      intake.authenticate(typeof authorization === "string" ? authorization : null).then(
        (principal) => intake.refused(principal, error, refusal),
        // No valid key: nobody's project to tell (a revoked key's is told, as for any refusal).
        (authError: unknown) => intake.refused(null, authError, refusal),
      );
    };
    return new ServerInterceptingCall(call, {
      start: (next) =>
        next({
          onReceiveMetadata: (received, pass) => {
            metadata = received;
            pass(received);
          },
        }),
    });
  };
}

export interface TRunningGrpcIngest {
  port: number;
  /** Lets calls in flight finish, then stops; calls still running after `timeoutMs` are cut. */
  close(timeoutMs?: number): Promise<void>;
}

/**
 * The OTLP/gRPC receiver (TraceService and LogsService `Export`) on its own port, 4317 by
 * convention, in plaintext as the HTTP receiver is: TLS belongs to the proxy in front.
 */
export async function startGrpcIngest(options: {
  port: number;
  hostname?: string;
  config: TIntakeConfig;
}): Promise<TRunningGrpcIngest> {
  const { config } = options;
  // grpc-js writes its own lines to stderr; whatever of it matters to a caller comes back
  // as a call's status or as the bind error below, so its chatter goes to the debug log.
  setLogger({ error: (...args: unknown[]) => log.debug({ source: "grpc-js" }, args.map(String).join(" ")) });
  const intake = createExportIntake(config);
  const server = new Server({
    "grpc.max_receive_message_length": config.maxBodyBytes,
    "grpc.max_send_message_length": 1024 * 1024,
    interceptors: [overLimitRecorder(intake, config)],
  });
  server.addService({ Check: bytesMethod(HEALTH_CHECK_PATH) }, { Check: healthCheck });
  for (const service of SERVICES) {
    server.addService({ Export: bytesMethod(service.path) }, { Export: exportHandler(intake, service.signal, config) });
  }
  const address = `${options.hostname ?? "0.0.0.0"}:${options.port}`;
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(address, ServerCredentials.createInsecure(), (error, bound) => {
      if (error) {
        const hint = "set INGEST_GRPC_PORT to a free port, or to off";
        reject(new Error(`OTLP/gRPC could not listen on ${address} (${error.message}): ${hint}`));
      } else resolve(bound);
    });
  });
  log.info({ port }, "ingest listening for OTLP/gRPC");
  return {
    port,
    async close(timeoutMs = 10_000) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, timeoutMs);
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    },
  };
}

/**
 * Starts OTLP/gRPC as INGEST_GRPC_PORT says. Left at its default, a port already taken (a
 * local OpenTelemetry Collector often holds 4317) turns gRPC off with a warning instead of
 * stopping Spanlens; a port set explicitly must be free.
 */
export async function startConfiguredGrpcIngest(options: {
  setting: TGrpcPortSetting;
  hostname: string;
  config: TIntakeConfig;
}): Promise<TRunningGrpcIngest | null> {
  const { port, isExplicit } = options.setting;
  if (port === null) return null;
  try {
    return await startGrpcIngest({ port, hostname: options.hostname, config: options.config });
  } catch (error) {
    if (isExplicit) throw error;
    log.warn(`${(error as Error).message}; serving OTLP/HTTP only`);
    return null;
  }
}
