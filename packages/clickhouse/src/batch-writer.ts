import { Readable } from "node:stream";
import type { ClickHouseClient } from "@clickhouse/client";
import { firstLine, isClickHouseError } from "./errors.js";
import { quoteIdentifier } from "./sql.js";

/**
 * Rows encoded as JSONCompactEachRow: one JSON array per line under one column list, so
 * the ~70 column names of a span are not repeated in every row (measured ~25% less
 * ClickHouse CPU per span row than JSONEachRow; docs/benchmarks.md). The text is kept as
 * UTF-8 bytes outside the JavaScript heap: rows wait in a batch for up to a second, and
 * held as strings they were over a third of the worker's live heap, which the collector's
 * growth follows (with the worker image's heap flags, ~600 MiB RSS instead of ~400;
 * docs/benchmarks.md, run 30).
 */
export interface TEncodedRows {
  columns: readonly string[];
  text: Uint8Array;
  rows: number;
}

/** Rows encoded one at a time, so a caller can stop at a size: see {@link createRowEncoder}. */
export interface TRowEncoder<TRow extends object> {
  add(row: TRow): void;
  readonly rows: number;
  /** Encoded bytes so far, newlines included. */
  readonly bytes: number;
  /** The rows added, encoded; null when none were. */
  finish(): TEncodedRows | null;
}

/** What a row encoder writes into before its rows are done: most requests' rows fit. */
const SCRATCH_BYTES = 64 * 1024;
/** Scratch buffers of finished encoders, for the next ones (a few: encoders of one job interleave). */
const spareScratch: Buffer[] = [];
const MAX_SPARE_SCRATCH = 4;

/**
 * Encodes rows built by one mapping function (same keys, same order) as they are added.
 *
 * Each line is written into a scratch buffer as it is encoded, instead of being kept as a
 * string until `finish`. Kept in the encoder's array, the lines survived the collector's
 * young-generation passes even when each request's encoder was long gone by then: ~11 MB a
 * pass, a fifth of what encoding allocates, promoted to the old generation to die there,
 * and a full collection about every second for it in a loop encoding requests one by one.
 * Written at once, ~0.4 MB survives a pass, and that loop ran with no full collection
 * (docs/benchmarks.md, twenty-ninth session).
 */
export function createRowEncoder<TRow extends object>(): TRowEncoder<TRow> {
  let columns: string[] | null = null;
  let scratch: Buffer | null = null;
  let bytes = 0;
  let rows = 0;
  let finished = false;
  return {
    add(row) {
      if (finished) throw new Error("a row was added to rows already finished");
      columns ??= Object.keys(row);
      const line = JSON.stringify(columns.map((column) => (row as Record<string, unknown>)[column]));
      const needed = bytes + Buffer.byteLength(line) + 1;
      scratch ??= spareScratch.pop() ?? Buffer.allocUnsafeSlow(SCRATCH_BYTES);
      if (needed > scratch.length) {
        const grown = Buffer.allocUnsafeSlow(Math.max(needed, 2 * scratch.length));
        scratch.copy(grown, 0, 0, bytes);
        scratch = grown;
      }
      bytes += scratch.write(line, bytes);
      scratch[bytes++] = 0x0a;
      rows += 1;
    },
    get rows() {
      return rows;
    },
    get bytes() {
      return bytes;
    },
    finish() {
      finished = true;
      if (!columns || !scratch) return null;
      // Copied out at its exact size, and not from Buffer's shared pool, so a held batch pins
      // only its own bytes; the scratch goes to the next encoder.
      const text = Buffer.allocUnsafeSlow(bytes);
      scratch.copy(text, 0, 0, bytes);
      if (scratch.length === SCRATCH_BYTES && spareScratch.length < MAX_SPARE_SCRATCH) spareScratch.push(scratch);
      scratch = null;
      return { columns, text, rows };
    },
  };
}

/** Encodes rows built by one mapping function (same keys, same order); null when empty. */
export function encodeRows<TRow extends object>(rows: readonly TRow[]): TEncodedRows | null {
  const encoder = createRowEncoder<TRow>();
  for (const row of rows) encoder.add(row);
  return encoder.finish();
}

/** Inserts encoded rows (the same statement over HTTP and in the embedded engine). */
export function insertEncoded(client: ClickHouseClient, table: string, encoded: TEncodedRows): Promise<void> {
  return insertChunks(client, table, encoded.columns, [encoded.text]);
}

/**
 * Every insert runs on one thread: its rows parsed in order instead of cut into pieces for
 * a pool of parser threads, and the rest of the insert (the rollup's materialized view
 * among it) not spread over more. The worker already runs two inserts at once and the
 * engine merges in the background; extra threads per insert only competed with those and
 * with the receiver for the cores. Alternating runs of the ingest benchmark measured less
 * CPU per span and a lower half-load p99 (docs/benchmarks.md, fifteenth session). In the
 * statement, so they hold for that insert alone in both modes: the embedded engine would
 * apply a client's per-query settings to its whole session, reads included.
 *
 * A lone UTF-16 surrogate (`"\ud800"`, which OTLP/JSON can carry and `JSON.stringify` writes
 * as that escape) is stored as sent instead of failing the insert: by default the engine
 * refuses the escape, and with it every row of the batch.
 */
export const INSERT_SETTINGS =
  "max_threads = 1, input_format_parallel_parsing = 0, input_format_json_throw_on_bad_escape_sequence = 0";

/** Streams row bytes in the pieces they were encoded in: a batch is never copied into one buffer. */
async function insertChunks(
  client: ClickHouseClient,
  table: string,
  columns: readonly string[],
  chunks: readonly Uint8Array[],
): Promise<void> {
  const result = await client.exec({
    query: `INSERT INTO ${quoteIdentifier(table)} (${columns.map(quoteIdentifier).join(", ")}) SETTINGS ${INSERT_SETTINGS} FORMAT JSONCompactEachRow`,
    values: Readable.from(chunks),
  });
  // Nothing to read; draining releases the connection.
  result.stream.resume();
}

/** Encodes and inserts rows in one call. */
export async function insertRows<TRow extends object>(
  client: ClickHouseClient,
  table: string,
  rows: readonly TRow[],
): Promise<void> {
  const encoded = encodeRows(rows);
  if (encoded) await insertEncoded(client, table, encoded);
}

export interface TBatchWriterOptions {
  table: string;
  /** A batch is ready once this many rows are pending. */
  maxRows: number;
  /** A batch is ready at the latest this long after its first row arrived. */
  maxWaitMs: number;
  /**
   * A batch is ready as soon as this many writes wait on it: when every concurrent job is
   * already waiting, no more rows can arrive, and holding the timer only idles.
   */
  maxWaiters?: number;
  /** Inserts running at once (default 2). */
  maxInFlight?: number;
}

export interface TBatchWriter {
  /**
   * Resolves once these rows are inserted (rejects if their batch failed). With `now` the
   * batch is due at once: for a writer that holds its next rows back until these are stored
   * (a slice of a large request), the timer would only idle.
   */
  write(rows: TEncodedRows | null, options?: { now?: boolean }): Promise<void>;
  /** Inserts whatever is pending and waits for every running insert. */
  flush(): Promise<void>;
  readonly pendingRows: number;
}

interface TPendingBatch {
  columns: readonly string[] | null;
  chunks: Uint8Array[];
  rows: number;
  waiters: { resolve: () => void; reject: (error: unknown) => void }[];
}

const DEFAULT_MAX_IN_FLIGHT = 2;
const emptyBatch = (): TPendingBatch => ({ columns: null, chunks: [], rows: 0, waiters: [] });

/**
 * Collects encoded rows from many queue jobs into large inserts: ClickHouse creates one
 * part per insert, so tiny inserts cost merges, and large batches are markedly cheaper
 * per row. Callers await `write`, which is how a job is acknowledged only after its rows
 * are stored.
 *
 * Up to `maxInFlight` inserts run at once, so ClickHouse parses and compresses one batch
 * while the worker decodes the next. A ready batch that finds every slot busy keeps
 * collecting rows until one frees: under load batches grow, which is when their lower
 * cost per row matters most. Their size stays bounded by the jobs running at once.
 */
export function createBatchWriter(getClient: () => ClickHouseClient, options: TBatchWriterOptions): TBatchWriter {
  const maxInFlight = Math.max(1, options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT);
  let pending = emptyBatch();
  let timer: NodeJS.Timeout | null = null;
  /** The pending batch is due (full, timed out or flushed) and starts when a slot frees. */
  let due = false;
  const running = new Set<Promise<void>>();

  /**
   * Inserts a batch; when the engine refuses its rows (a value it cannot parse), the batch is
   * halved and each half inserted again, down to single writes, so only the writes holding
   * such a row fail. Without that one bad span fails every job of its batch, of any project,
   * and the jobs retried together fail together again. Halving writes about 2·log2(writes)
   * extra parts for one bad write, not one per write. Rows inserted twice collapse by key, so
   * a half that had partly gone in before a failure is safe to insert again.
   */
  const insert = async (
    columns: readonly string[],
    chunks: readonly Uint8Array[],
    waiters: TPendingBatch["waiters"],
  ): Promise<void> => {
    try {
      await insertChunks(getClient(), options.table, columns, chunks);
      for (const waiter of waiters) waiter.resolve();
    } catch (error) {
      if (chunks.length < 2 || !isRowDataError(error)) {
        const refusal = isRowDataError(error) ? new RefusedRowsError(options.table, error) : error;
        for (const waiter of waiters) waiter.reject(refusal);
        return;
      }
      const half = Math.ceil(chunks.length / 2);
      await insert(columns, chunks.slice(0, half), waiters.slice(0, half));
      await insert(columns, chunks.slice(half), waiters.slice(half));
    }
  };

  const startIfDue = (): void => {
    if (!due || running.size >= maxInFlight) return;
    if (timer) clearTimeout(timer);
    timer = null;
    due = false;
    const batch = pending;
    pending = emptyBatch();
    if (batch.rows === 0) {
      for (const waiter of batch.waiters) waiter.resolve();
      return;
    }
    // One chunk and one waiter per write, in the same order.
    const done = insert(batch.columns ?? [], batch.chunks, batch.waiters).finally(() => {
      running.delete(done);
      startIfDue();
    });
    running.add(done);
  };

  const markDue = (): void => {
    due = true;
    startIfDue();
  };

  return {
    write(encoded, writeOptions) {
      if (!encoded || encoded.rows === 0) return Promise.resolve();
      if (pending.columns && !sameColumns(pending.columns, encoded.columns)) {
        return Promise.reject(new Error(`rows for ${options.table} must share one column list`));
      }
      return new Promise<void>((resolve, reject) => {
        pending.columns ??= encoded.columns;
        pending.chunks.push(encoded.text);
        pending.rows += encoded.rows;
        pending.waiters.push({ resolve, reject });
        const isFull =
          writeOptions?.now === true ||
          pending.rows >= options.maxRows ||
          (options.maxWaiters !== undefined && pending.waiters.length >= options.maxWaiters);
        if (isFull) markDue();
        else if (!due) timer ??= setTimeout(markDue, options.maxWaitMs);
      });
    },
    async flush() {
      if (pending.rows > 0) markDue();
      // A due batch waiting for a slot starts when one frees; wait until none is left.
      while (running.size > 0 || pending.rows > 0) {
        if (running.size === 0) markDue();
        await Promise.all(running);
      }
    },
    get pendingRows() {
      return pending.rows;
    },
  };
}

/**
 * Engine errors about the rows themselves (a value that does not parse as its column's type,
 * out of its range, badly escaped), which inserting the same rows again repeats. Errors of the
 * engine's state (too many parts, memory, a missing table) and of the connection are not:
 * halving a batch for those would only send more inserts into the same trouble.
 */
const ROW_DATA_ERROR_CODES = new Set([
  "6", // CANNOT_PARSE_TEXT
  "25", // CANNOT_PARSE_ESCAPE_SEQUENCE
  "26", // CANNOT_PARSE_QUOTED_STRING
  "27", // CANNOT_PARSE_INPUT_ASSERTION_FAILED
  "38", // CANNOT_PARSE_DATE
  "41", // CANNOT_PARSE_DATETIME
  "53", // TYPE_MISMATCH
  "69", // ARGUMENT_OUT_OF_BOUND
  "70", // CANNOT_CONVERT_TYPE
  "72", // CANNOT_PARSE_NUMBER
  "117", // INCORRECT_DATA
  "131", // TOO_LARGE_STRING_SIZE
  "321", // VALUE_IS_OUT_OF_RANGE_OF_DATA_TYPE
  "349", // CANNOT_INSERT_NULL_IN_ORDINARY_COLUMN
  "469", // VIOLATED_CONSTRAINT: a CHECK an operator put on the table refuses the row
]);

export function isRowDataError(error: unknown): boolean {
  return isClickHouseError(error) && ROW_DATA_ERROR_CODES.has(error.code);
}

/**
 * What a write whose own rows the engine refused fails with: the engine's reason, on one line.
 * Its own class, so the worker can tell the project its data was refused from a store that is
 * down, which is the operator's to fix.
 */
export class RefusedRowsError extends Error {
  override readonly name = "RefusedRowsError";
  constructor(table: string, cause: unknown) {
    super(`ClickHouse refused rows of this request for ${table}: ${firstLine(cause)}`, { cause });
  }
}

function sameColumns(a: readonly string[], b: readonly string[]): boolean {
  return a === b || (a.length === b.length && a.every((column, index) => column === b[index]));
}
