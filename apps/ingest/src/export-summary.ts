import { AppError, isAppError, type TErrorCode, type TOtlpIngestJob } from "@spanlens/core";
import { decodeLogs, decodeTraces, type TOtlpContentType } from "@spanlens/otlp";

/** What the receiver needs of an export's records: how many it takes, and which it drops and why. */
export interface TExportSummary {
  accepted: number;
  rejected: { count: number; reasons: string[] };
}

export interface TSummarizeTask {
  signal: TOtlpIngestJob["signal"];
  encoding: TOtlpContentType;
  body: Uint8Array;
}

/** A summary, or the client error decoding raised, in a form that crosses threads intact. */
export type TSummarizeResult =
  | { ok: true; summary: TExportSummary }
  | { ok: false; error: { code: TErrorCode; message: string } };

/** Decodes an export to validate and count it (a 400 naming the problem when it does not decode). */
export function summarizeExport({ signal, encoding, body }: TSummarizeTask): TExportSummary {
  const decoded = signal === "traces" ? decodeTraces(body, encoding) : decodeLogs(body, encoding);
  return {
    accepted: "spans" in decoded ? decoded.spans.length : decoded.logRecords.length,
    rejected: decoded.rejected,
  };
}

/** {@link summarizeExport} for a thread: an `AppError` comes back as data, since a thrown one would lose its code. */
export function summarizeForThread(task: TSummarizeTask): TSummarizeResult {
  try {
    return { ok: true, summary: summarizeExport(task) };
  } catch (error) {
    if (isAppError(error)) return { ok: false, error: { code: error.code, message: error.message } };
    throw error;
  }
}

export function fromThreadResult(result: TSummarizeResult): TExportSummary {
  if (result.ok) return result.summary;
  throw new AppError(result.error.code, result.error.message);
}
