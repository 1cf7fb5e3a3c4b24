/** The worker's mapping from request bodies to `spans` rows, for benchmarks that insert rows directly. */
import { type TSpanRow, toSpanRow } from "../packages/clickhouse/src/index.js";
import { normalizeSpan } from "../packages/core/src/index.js";
import { decodeTraces } from "../packages/otlp/src/index.js";

/** Decodes, normalizes and maps every span of the protobuf bodies, as the worker stores them. */
export function spanRowsOf(bodies: readonly Buffer[], projectId: string): TSpanRow[] {
  const rows: TSpanRow[] = [];
  for (const body of bodies) {
    for (const span of decodeTraces(body, "protobuf").spans) rows.push(toSpanRow(projectId, normalizeSpan(span)));
  }
  return rows;
}
