/** Entry of an encoding thread (piscina): one task per queued OTLP request. */
import type { TOtlpIngestJob } from "@spanlens/core";
import { encodeIngestJob, type TEncodedIngestJob } from "./encode-ingest-job.js";

export default function encode(job: TOtlpIngestJob): Promise<TEncodedIngestJob> {
  return encodeIngestJob(job);
}
