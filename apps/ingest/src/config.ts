import { parseEnv, ZPort } from "@spanlens/core";
import { z } from "zod";

const ZIngestEnv = z.object({
  /** Limit on the decompressed body; OTLP exporters batch 512 spans by default, well below it. */
  INGEST_MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(16 * 1024 * 1024),
  /**
   * Decompressed export bytes the receiver holds at once (bodies read, decoded and waiting
   * on Redis). Past it a request waits for room before its body is read (the project holding
   * the fewest bytes first), up to INGEST_ENQUEUE_TIMEOUT_MS, then gets 503 with Retry-After.
   * A request alone is always taken. The benchmark's steady load holds about 1 MiB; 48 exports of 15 MiB at once
   * held a receiver at 64 MiB where they had held it at 720 MiB and timed out on Redis.
   */
  INGEST_MAX_BYTES_IN_FLIGHT: z.coerce
    .number()
    .int()
    .positive()
    .default(64 * 1024 * 1024),
  /** Waiting jobs (requests) above which ingest answers 503 with Retry-After. */
  INGEST_MAX_QUEUE_DEPTH: z.coerce.number().int().positive().default(20_000),
  INGEST_RETRY_AFTER_SECONDS: z.coerce.number().int().positive().default(2),
  /**
   * How long a request waits for Redis to take its job, and for room among the bytes in
   * flight. While Redis is down the client queues commands until it reconnects; past this
   * bound the exporter gets a 503 and retries.
   */
  INGEST_ENQUEUE_TIMEOUT_MS: z.coerce.number().int().positive().default(5_000),
  /**
   * How long the server keeps an idle connection open. A connection the server closes can
   * meet the client's next request on it, which then fails with ECONNRESET. Node's default
   * (5 s) is about the span exporters' export interval, and Node's own http.Agent, which the
   * JavaScript exporters use, keeps idle connections with no timer of its own. Two minutes
   * outlasts the idle timeouts of common proxies and clients in front (60 s for nginx and AWS
   * load balancers, 90 s for Go), so they close first.
   */
  INGEST_KEEP_ALIVE_TIMEOUT_SECONDS: z.coerce.number().int().positive().default(120),
  /**
   * How long a request's body may take to arrive once it is admitted. It holds its share of
   * INGEST_MAX_BYTES_IN_FLIGHT meanwhile, so a stalled upload must not hold it for long:
   * 16 MiB in a minute needs ~280 KB/s. Answered 408, and the connection closed.
   */
  INGEST_REQUEST_TIMEOUT_SECONDS: z.coerce.number().int().positive().default(60),
});

export interface TIngestConfig {
  maxBodyBytes: number;
  maxBytesInFlight: number;
  maxQueueDepth: number;
  retryAfterSeconds: number;
  enqueueTimeoutMs: number;
  keepAliveTimeoutMs: number;
  requestTimeoutMs: number;
}

export function readIngestConfig(source: Record<string, string | undefined> = process.env): TIngestConfig {
  const env = parseEnv(ZIngestEnv, source);
  return {
    maxBodyBytes: env.INGEST_MAX_BODY_BYTES,
    maxBytesInFlight: env.INGEST_MAX_BYTES_IN_FLIGHT,
    maxQueueDepth: env.INGEST_MAX_QUEUE_DEPTH,
    retryAfterSeconds: env.INGEST_RETRY_AFTER_SECONDS,
    enqueueTimeoutMs: env.INGEST_ENQUEUE_TIMEOUT_MS,
    keepAliveTimeoutMs: env.INGEST_KEEP_ALIVE_TIMEOUT_SECONDS * 1000,
    requestTimeoutMs: env.INGEST_REQUEST_TIMEOUT_SECONDS * 1000,
  };
}

const ZGrpcEnv = z.object({
  /** Where OTLP/gRPC exporters connect (4317 by convention); `off` serves OTLP/HTTP only. */
  INGEST_GRPC_PORT: z.union([z.literal("off"), ZPort]).default(4317),
});

export interface TGrpcPortSetting {
  /** Null when gRPC is turned off. */
  port: number | null;
  /** Whether INGEST_GRPC_PORT was set, rather than left at its default. */
  isExplicit: boolean;
}

export function readGrpcPort(source: Record<string, string | undefined> = process.env): TGrpcPortSetting {
  const port = parseEnv(ZGrpcEnv, source).INGEST_GRPC_PORT;
  return { port: port === "off" ? null : port, isExplicit: (source.INGEST_GRPC_PORT ?? "") !== "" };
}
