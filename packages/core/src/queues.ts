import { z } from "zod";

/**
 * Queue contracts: the name and payload schema each producer and consumer share.
 * Processors are named `<thing>Processor` after the queue they drain.
 */
export const QueueName = {
  /** One job per accepted OTLP request (never per span); drained by the span writer. */
  OtlpIngest: "otlp-ingest",
} as const;
export type TQueueName = (typeof QueueName)[keyof typeof QueueName];

export const ZOtlpIngestJob = z.object({
  projectId: z.string().min(1),
  /** Unique per accepted request; logged to follow one request through the pipeline. */
  requestId: z.string().min(1),
  signal: z.enum(["traces", "logs"]),
  encoding: z.enum(["protobuf", "json"]),
  /** The decompressed request body, base64: re-decoding is cheaper than shipping decoded spans. */
  body: z.string(),
  receivedAt: z.number().int(),
});
export type TOtlpIngestJob = z.infer<typeof ZOtlpIngestJob>;
