/** Entry of an encoding thread (piscina): one task per queued OTLP request, or per slice of one. */
import {
  createLastSlicedRequest,
  encodeIngestJob,
  type TEncodedIngestJob,
  type TEncodeTask,
} from "./encode-ingest-job.js";

const sliced = createLastSlicedRequest();

/** `started`: flagged as the task starts, when the encoder's time limit starts to count. */
export default function encode(job: TEncodeTask & { started?: Int32Array }): Promise<TEncodedIngestJob> {
  const { started, ...task } = job;
  if (started) {
    Atomics.store(started, 0, 1);
    Atomics.notify(started, 0);
  }
  return encodeIngestJob(task, sliced);
}
