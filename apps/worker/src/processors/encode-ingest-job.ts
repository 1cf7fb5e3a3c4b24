import {
  encodeRows,
  type TEncodedRows,
  type TScoreRow,
  type TSpanRow,
  toScoreRow,
  toSpanRow,
} from "@spanlens/clickhouse";
import { normalizeEvaluationLog, normalizeSpanOrKeep, type TOtlpIngestJob } from "@spanlens/core";
import { decodeLogs, decodeTraces, decompressBody } from "@spanlens/otlp";

/** One queued request with its body resolved (from its Redis key or the older inline form). */
export type TEncodeTask = Pick<TOtlpIngestJob, "projectId" | "signal" | "encoding" | "compression" | "receivedAt"> & {
  body: Uint8Array;
};

/** What one queued OTLP request becomes: encoded rows ready for the batch writers. */
export interface TEncodedIngestJob {
  spans: TEncodedRows | null;
  scores: TEncodedRows | null;
  /** Distinct trace ids of the stored spans (for evaluation scheduling). */
  traceIds: string[];
  /** Decompressed body size. */
  bytes: number;
  /** Spans kept as sent because normalizing them failed, with the first failure. */
  keptAsSent: { spans: number; firstError: string | null };
}

/**
 * Decompresses, decodes, normalizes and encodes one request. A pure function of the job,
 * so it runs the same on the event loop or in an encoding thread (ingest-encoder.ts).
 */
export async function encodeIngestJob(job: TEncodeTask): Promise<TEncodedIngestJob> {
  const sent = Buffer.from(job.body.buffer, job.body.byteOffset, job.body.byteLength);
  const body = await decompressBody(sent, job.compression);
  const spanRows: TSpanRow[] = [];
  const scoreRows: TScoreRow[] = [];
  const keptAsSent: TEncodedIngestJob["keptAsSent"] = { spans: 0, firstError: null };
  const onKept = (message: string) => {
    keptAsSent.spans += 1;
    keptAsSent.firstError ??= message;
  };
  if (job.signal === "traces") {
    for (const otlpSpan of decodeTraces(body, job.encoding).spans) {
      const span = normalizeSpanOrKeep(otlpSpan, { onKept });
      spanRows.push(toSpanRow(job.projectId, span));
      for (const score of span.scores) scoreRows.push(toScoreRow(job.projectId, score, span.endTime));
    }
  } else {
    for (const record of decodeLogs(body, job.encoding).logRecords) {
      const score = normalizeEvaluationLog(record);
      if (!score) continue;
      const nanos = record.timeUnixNano !== "0" ? record.timeUnixNano : record.observedTimeUnixNano;
      const timestampMs = nanos !== "0" ? Number(BigInt(nanos) / 1_000_000n) : job.receivedAt;
      scoreRows.push(toScoreRow(job.projectId, score, timestampMs));
    }
  }
  return {
    spans: encodeRows(spanRows),
    scores: encodeRows(scoreRows),
    traceIds: [...new Set(spanRows.map((row) => row.trace_id))],
    bytes: body.length,
    keptAsSent,
  };
}
