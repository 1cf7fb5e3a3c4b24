/** ClickHouse's own counts of what it inserted and merged, for benchmarks that compare phases. */
import type { ClickHouseClient } from "../packages/clickhouse/src/index.js";
import { round } from "./stats.js";

/**
 * The engine's cumulative counts: INSERT statements, rows inserted and rows rewritten by background merges
 * (all tables, the `traces` rollup included), the merge threads' busy time, and the
 * `spans` table's active parts now.
 */
export async function engineCounters(client: ClickHouseClient) {
  const result = await client.query({
    query: `SELECT
        sumIf(value, event = 'InsertQuery') AS insertStatements,
        sumIf(value, event = 'InsertedRows') AS insertedRows,
        sumIf(value, event = 'MergedRows') AS mergedRows,
        sumIf(value, event = 'MergeExecuteMilliseconds') AS mergeExecuteMs,
        (SELECT count() FROM system.parts WHERE active AND database = currentDatabase() AND table = 'spans') AS spansParts
      FROM system.events`,
    format: "JSONEachRow",
  });
  const [row] = (await result.json()) as {
    insertStatements: string;
    insertedRows: string;
    mergedRows: string;
    mergeExecuteMs: string;
    spansParts: string;
  }[];
  return {
    insertStatements: Number(row?.insertStatements ?? 0),
    insertedRows: Number(row?.insertedRows ?? 0),
    mergedRows: Number(row?.mergedRows ?? 0),
    mergeExecuteMs: Number(row?.mergeExecuteMs ?? 0),
    spansParts: Number(row?.spansParts ?? 0),
  };
}

export interface TEngineCounts {
  /**
   * INSERT statements, all tables: the worker writes each batch of spans with a batch of
   * `ingest_receipts` rows, so its span batches are about half of these.
   */
  insertStatements: number;
  insertedRows: number;
  mergedRows: number;
  /** The engine's write amplification. */
  mergedPerInsertedRow: number;
  /** Merge threads' busy time per inserted row: how much of the engine's work is merging. */
  mergeExecuteMicrosPerInsertedRow: number;
  spansActivePartsAtEnd: number;
}

/** Runs a phase and adds what the engine inserted and merged meanwhile. */
export async function withEngineCounters<T>(
  client: ClickHouseClient,
  phase: () => Promise<T>,
): Promise<T & { engine: TEngineCounts }> {
  const before = await engineCounters(client);
  const result = await phase();
  const after = await engineCounters(client);
  const insertedRows = after.insertedRows - before.insertedRows;
  const mergedRows = after.mergedRows - before.mergedRows;
  return {
    ...result,
    engine: {
      insertStatements: after.insertStatements - before.insertStatements,
      insertedRows,
      mergedRows,
      mergedPerInsertedRow: insertedRows > 0 ? round(mergedRows / insertedRows, 2) : 0,
      mergeExecuteMicrosPerInsertedRow:
        insertedRows > 0 ? round(((after.mergeExecuteMs - before.mergeExecuteMs) * 1000) / insertedRows, 1) : 0,
      spansActivePartsAtEnd: after.spansParts,
    },
  };
}
