/** Entry of an encoding thread (piscina): one task per queued OTLP request. */
import { encodeIngestJob, type TEncodedIngestJob, type TEncodeTask } from "./encode-ingest-job.js";

export default function encode(job: TEncodeTask): Promise<TEncodedIngestJob> {
  return encodeIngestJob(job);
}
