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
  /**
   * The request's identity across its slices (its request id). An encoding thread gets a copy
   * of the body with each slice, so it finds the decoding of the slice before by this key.
   */
  key?: string;
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

/** A request decompressed and decoded, as its slices share it. */
export type TDecodedBody = { bytes: number } & (
  | { signal: "traces"; spans: TOtlpSpan[] }
  | { signal: "logs"; logRecords: TOtlpLogRecord[] }
);

/**
 * Where a request part way through its slices keeps its decoding for the next slice, so a
 * request is decompressed and decoded once however many slices it is stored in.
 */
export interface TSlicedRequests {
  get(job: TEncodeTask): TDecodedBody | undefined;
  set(job: TEncodeTask, decoded: TDecodedBody): void;
  delete(job: TEncodeTask): void;
}

/**
 * On the event loop: by the task's body, which every slice of a request shares. A weak map,
 * so a request that fails part way lets its decoding go with its job.
 */
const byBody = (() => {
  const decodings = new WeakMap<Uint8Array, TDecodedBody>();
  return {
    get: (job) => decodings.get(job.body),
    set: (job, decoded) => decodings.set(job.body, decoded),
    delete: (job) => decodings.delete(job.body),
  } satisfies TSlicedRequests;
})();

/**
 * In an encoding thread, whose every slice comes with a copy of the body: by the request's
 * key, one request at a time. The processor stores a request's slices one after another, so
 * the next slice a thread sees is usually the same request's; when slices of two requests
 * (or of one on two threads) alternate, a slice decodes its request again, as before. A
 * request that fails part way is held until the thread's next sliced request replaces it.
 */
export function createLastSlicedRequest(): TSlicedRequests {
  let last: { key: string; decoded: TDecodedBody } | null = null;
  return {
    get: (job) => (job.key !== undefined && last?.key === job.key ? last.decoded : undefined),
    set: (job, decoded) => {
      last = job.key === undefined ? null : { key: job.key, decoded };
    },
    delete: (job) => {
      if (last?.key === job.key) last = null;
    },
  };
}

/**
 * Decompresses, decodes, normalizes and encodes one request, or one slice of its records.
 * A function of the task, so it runs the same on the event loop or in an encoding thread
 * (ingest-encoder.ts). The slices of one request share its decoding, kept in `sliced`
 * from its first slice until its last.
 */
export async function encodeIngestJob(job: TEncodeTask, sliced: TSlicedRequests = byBody): Promise<TEncodedIngestJob> {
  const from = job.from ?? 0;
  const decoded = (from > 0 ? sliced.get(job) : undefined) ?? (await decode(job));
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
  if (next !== null) sliced.set(job, decoded);
  else if (from > 0) sliced.delete(job);
  return {
    spans: spanRows.finish(),
    scores: scoreRows.finish(),
    traceIds: [...traceIds],
    bytes: decoded.bytes,
    keptAsSent,
    next,
  };
}

async function decode(job: TEncodeTask): Promise<TDecodedBody> {
  const sent = Buffer.from(job.body.buffer, job.body.byteOffset, job.body.byteLength);
  const body = await decompressBody(sent, job.compression);
  return job.signal === "traces"
    ? { signal: "traces", bytes: body.length, spans: decodeTraces(body, job.encoding).spans }
    : { signal: "logs", bytes: body.length, logRecords: decodeLogs(body, job.encoding).logRecords };
}
