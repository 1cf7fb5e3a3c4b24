import type { TOtlpLogRecord, TOtlpSpan } from "@spanlens/core";

/** The two OTLP/HTTP encodings; anything else is a 415 for the transport. */
export type TOtlpContentType = "protobuf" | "json";

/** Records dropped while decoding; `reasons` is deduplicated and capped for the partial-success message. */
export interface TOtlpRejections {
  count: number;
  reasons: string[];
}

export interface TDecodedTraces {
  spans: TOtlpSpan[];
  rejected: TOtlpRejections;
}

export interface TDecodedLogs {
  logRecords: TOtlpLogRecord[];
  rejected: TOtlpRejections;
}
