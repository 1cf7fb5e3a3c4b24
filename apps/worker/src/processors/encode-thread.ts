/** Entry of an encoding thread (piscina): one task per queued OTLP request, or per slice of one. */
import {
  createLastSlicedRequest,
  encodeIngestJob,
  type TEncodedIngestJob,
  type TEncodeTask,
} from "./encode-ingest-job.js";

const sliced = createLastSlicedRequest();

export default function encode(job: TEncodeTask): Promise<TEncodedIngestJob> {
  return encodeIngestJob(job, sliced);
}
