import { constants, zstdCompressSync } from "node:zlib";
import { AppError, isAppError, type TErrorCode, type TOtlpIngestJob } from "@spanlens/core";
import { decodeLogs, decodeTraces, type TOtlpContentType } from "@spanlens/otlp";

/** What the receiver needs of an export's records: how many it takes, and which it drops and why. */
export interface TExportSummary {
  accepted: number;
  rejected: { count: number; reasons: string[] };
  /** The body compressed with zstd, when the task asked for it and it came out smaller. */
  zstdBody?: Uint8Array;
}

export interface TSummarizeTask {
  signal: TOtlpIngestJob["signal"];
  encoding: TOtlpContentType;
  body: Uint8Array;
  /** On the decoding thread: also compress the body, a large one that came uncompressed (see `summarize`). */
  compress?: boolean;
}

/**
 * zstd's fastest level: on the benchmark's prose spans a 5 MB export compressed to 1.85 MB in
 * 34 ms (level 3: 1.69 MB, the same time), and decompresses in 21 ms.
 */
const ZSTD_LEVEL = 1;
/** Kept compressed only when that saves at least a tenth: random bytes do not compress. */
const MIN_SAVING = 0.1;

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

/** The bytes compressed with zstd, or undefined when that saves less than a tenth. */
export function zstdIfSmaller(body: Uint8Array): Uint8Array | undefined {
  const compressed = zstdCompressSync(body, { params: { [constants.ZSTD_c_compressionLevel]: ZSTD_LEVEL } });
  return compressed.length <= body.length * (1 - MIN_SAVING) ? compressed : undefined;
}

/**
 * {@link summarizeExport} for a thread, compressing the body too when the task asks and it
 * has records to store: an `AppError` comes back as data, since a thrown one would lose its code.
 */
export function summarizeForThread(task: TSummarizeTask): TSummarizeResult {
  try {
    const summary = summarizeExport(task);
    if (task.compress && summary.accepted > 0) {
      const zstdBody = zstdIfSmaller(task.body);
      if (zstdBody) summary.zstdBody = zstdBody;
    }
    return { ok: true, summary };
  } catch (error) {
    if (isAppError(error)) return { ok: false, error: { code: error.code, message: error.message } };
    throw error;
  }
}

export function fromThreadResult(result: TSummarizeResult): TExportSummary {
  if (result.ok) return result.summary;
  throw new AppError(result.error.code, result.error.message);
}
