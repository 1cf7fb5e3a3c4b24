import { z } from "zod";

/**
 * Queue contracts: the name and payload schema each producer and consumer share.
 * Processors are named `<thing>Processor` after the queue they drain.
 */
export const QueueName = {
  /** One job per accepted OTLP request (never per span); drained by the span writer. */
  OtlpIngest: "otlp-ingest",
  /**
   * One delayed job per trace, debounced: every stored batch of the trace's spans pushes
   * it back, so it runs once the trace has been quiet; it decides which evaluators fire.
   */
  TraceEvaluation: "trace-evaluation",
  /** One job per (evaluator, trace) picked for evaluation; retried with backoff. */
  EvaluatorRun: "evaluator-run",
} as const;
export type TQueueName = (typeof QueueName)[keyof typeof QueueName];

/** How a queued OTLP body is compressed: as the client sent it (its Content-Encoding). */
export const ZOtlpBodyCompression = z.enum(["identity", "gzip", "deflate", "zstd"]);
export type TOtlpBodyCompression = z.infer<typeof ZOtlpBodyCompression>;

/** The longest User-Agent a job keeps: it names an SDK and its version, well within this. */
export const MAX_JOB_USER_AGENT_CHARS = 256;

export const ZOtlpIngestJob = z
  .object({
    projectId: z.string().min(1),
    /** Unique per accepted request; logged to follow one request through the pipeline. */
    requestId: z.string().min(1),
    /**
     * SHA-256 of the body as sent (hex): what the request is counted under in
     * `ingest_receipts`, so an exporter's retry of an export it thinks was lost counts once,
     * as its spans are stored once. Absent on jobs queued before this field existed.
     */
    contentId: z.string().min(1).optional(),
    signal: z.enum(["traces", "logs"]),
    encoding: z.enum(["protobuf", "json"]),
    /**
     * The Redis key holding the request body as the client sent it, as binary: written
     * just before the job on the same connection, deleted once its rows are stored.
     * Re-decoding is cheaper than shipping decoded spans, and raw bytes beside the job
     * cost Redis and both processes far less than base64 inside BullMQ's JSON.
     */
    bodyKey: z.string().min(1).optional(),
    /** Jobs queued by earlier versions carry the body inline, base64. */
    body: z.string().optional(),
    /** Jobs queued before this field existed carry decompressed bodies. */
    compression: ZOtlpBodyCompression.default("identity"),
    receivedAt: z.number().int(),
    /**
     * Decompressed body size: what the worker counts against its in-flight byte budget
     * before it reads the body. Absent on jobs queued before this field existed.
     */
    bytes: z.number().int().nonnegative().optional(),
    /**
     * Spans (or log records) the receiver accepted: what the worker's reservation counts
     * besides `bytes`, since each decoded record takes memory however small it was on the
     * wire. Absent on jobs queued before this field existed.
     */
    records: z.number().int().nonnegative().optional(),
    /**
     * How the export came in and its User-Agent (cut to {@link MAX_JOB_USER_AGENT_CHARS}):
     * what the project's list of ingest problems shows when the worker cannot store the
     * request whole. Absent on jobs queued before these fields existed.
     */
    transport: z.enum(["http", "grpc"]).optional(),
    userAgent: z.string().optional(),
  })
  .refine((job) => job.bodyKey !== undefined || job.body !== undefined, {
    message: "a job carries bodyKey or body",
    path: ["bodyKey"],
  });
export type TOtlpIngestJob = z.infer<typeof ZOtlpIngestJob>;

export const ZTraceEvaluationJob = z.object({
  projectId: z.string().min(1),
  traceId: z.string().regex(/^[0-9a-f]{32}$/),
});
export type TTraceEvaluationJob = z.infer<typeof ZTraceEvaluationJob>;

export const ZEvaluatorRunJob = z.object({
  projectId: z.string().min(1),
  evaluatorId: z.string().min(1),
  traceId: z.string().regex(/^[0-9a-f]{32}$/),
  /** The EvaluatorRun row whose status this job keeps current. */
  runId: z.string().min(1),
});
export type TEvaluatorRunJob = z.infer<typeof ZEvaluatorRunJob>;
