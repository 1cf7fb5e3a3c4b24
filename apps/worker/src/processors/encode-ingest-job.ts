import {
  createRowEncoder,
  type TEncodedRows,
  type TScoreRow,
  type TSpanRow,
  toScoreRow,
  toSpanRow,
} from "@spanlens/clickhouse";
import {
  normalizeEvaluationLog,
  normalizeSpanOrKeep,
  type TOtlpIngestJob,
  type TOtlpLogRecord,
  type TOtlpSpan,
} from "@spanlens/core";
import { decodeLogs, decodeTraces, decompressBody } from "@spanlens/otlp";

/** One queued request with its body resolved (from its Redis key or the older inline form). */
export type TEncodeTask = Pick<TOtlpIngestJob, "projectId" | "signal" | "encoding" | "compression" | "receivedAt"> & {
  body: Uint8Array;
  /** The slice to encode: from this record (span or log record) on, 0 when absent. */
  from?: number;
  /** The slice ends before the record that would pass this many rows. */
  maxRows?: number;
  /** The slice ends once its encoded rows reach this many bytes (at least one record is taken). */
  maxBytes?: number;
};

/** What one slice of a queued request becomes: encoded rows ready for the batch writers. */
export interface TEncodedIngestJob {
  spans: TEncodedRows | null;
  scores: TEncodedRows | null;
  /** Distinct trace ids of the stored spans (for evaluation scheduling). */
  traceIds: string[];
  /** Decompressed body size. */
  bytes: number;
  /** Spans kept as sent because normalizing them failed, with the first failure. */
  keptAsSent: { spans: number; firstError: string | null };
  /** The first record of the next slice, or null when this slice ends the request. */
  next: number | null;
}

/**
 * Decompresses, decodes, normalizes and encodes one request, or one slice of its records.
 * A function of the task, so it runs the same on the event loop or in an encoding thread
 * (ingest-encoder.ts). On the event loop the slices of one request share its decoding
 * (kept by the task's body until the last slice); a thread gets a copy of the body with
 * each slice and decodes it again, which only requests large enough to be sliced pay.
 */
export async function encodeIngestJob(job: TEncodeTask): Promise<TEncodedIngestJob> {
  const from = job.from ?? 0;
  const decoded = (from > 0 ? slicedBodies.get(job.body) : undefined) ?? (await decode(job));
  const spanRows = createRowEncoder<TSpanRow>();
  const scoreRows = createRowEncoder<TScoreRow>();
  const traceIds = new Set<string>();
  const keptAsSent: TEncodedIngestJob["keptAsSent"] = { spans: 0, firstError: null };
  const onKept = (message: string) => {
    keptAsSent.spans += 1;
    keptAsSent.firstError ??= message;
  };
  const addSpan = (otlpSpan: TOtlpSpan) => {
    const span = normalizeSpanOrKeep(otlpSpan, { onKept });
    const row = toSpanRow(job.projectId, span);
    spanRows.add(row);
    traceIds.add(row.trace_id);
    for (const score of span.scores) scoreRows.add(toScoreRow(job.projectId, score, span.endTime));
  };
  const addLogRecord = (record: TOtlpLogRecord) => {
    const score = normalizeEvaluationLog(record);
    if (!score) return;
    const nanos = record.timeUnixNano !== "0" ? record.timeUnixNano : record.observedTimeUnixNano;
    const timestampMs = nanos !== "0" ? Number(BigInt(nanos) / 1_000_000n) : job.receivedAt;
    scoreRows.add(toScoreRow(job.projectId, score, timestampMs));
  };
  const maxRows = job.maxRows ?? Number.POSITIVE_INFINITY;
  const maxBytes = job.maxBytes ?? Number.POSITIVE_INFINITY;
  const count = decoded.signal === "traces" ? decoded.spans.length : decoded.logRecords.length;
  let next: number | null = null;
  for (let index = from; index < count; index += 1) {
    if (index > from && (spanRows.rows + scoreRows.rows >= maxRows || spanRows.bytes + scoreRows.bytes >= maxBytes)) {
      next = index;
      break;
    }
    if (decoded.signal === "traces") addSpan(decoded.spans[index] as TOtlpSpan);
    else addLogRecord(decoded.logRecords[index] as TOtlpLogRecord);
  }
  // Kept only while a request is part way through its slices: one of a single slice never enters.
  if (next !== null) slicedBodies.set(job.body, decoded);
  else if (from > 0) slicedBodies.delete(job.body);
  return {
    spans: spanRows.finish(),
    scores: scoreRows.finish(),
    traceIds: [...traceIds],
    bytes: decoded.bytes,
    keptAsSent,
    next,
  };
}

type TDecodedBody = { bytes: number } & (
  | { signal: "traces"; spans: TOtlpSpan[] }
  | { signal: "logs"; logRecords: TOtlpLogRecord[] }
);

/** Requests part way through their slices, by the task's body: the decoding their next slice reuses. */
const slicedBodies = new WeakMap<Uint8Array, TDecodedBody>();

async function decode(job: TEncodeTask): Promise<TDecodedBody> {
  const sent = Buffer.from(job.body.buffer, job.body.byteOffset, job.body.byteLength);
  const body = await decompressBody(sent, job.compression);
  return job.signal === "traces"
    ? { signal: "traces", bytes: body.length, spans: decodeTraces(body, job.encoding).spans }
    : { signal: "logs", bytes: body.length, logRecords: decodeLogs(body, job.encoding).logRecords };
}
