import type { ClickHouseClient } from "@clickhouse/client";

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

export interface TBatchWriter<TRow> {
  /** Resolves once these rows are inserted (rejects if their batch failed). */
  write(rows: readonly TRow[]): Promise<void>;
  /** Inserts whatever is pending and waits for every running insert. */
  flush(): Promise<void>;
  readonly pendingRows: number;
}

interface TPendingBatch<TRow> {
  rows: TRow[];
  waiters: { resolve: () => void; reject: (error: unknown) => void }[];
}

const DEFAULT_MAX_IN_FLIGHT = 2;

/**
 * Collects rows from many queue jobs into large inserts: ClickHouse creates one part per
 * insert, so tiny inserts cost merges, and large batches are markedly cheaper per row.
 * Callers await `write`, which is how a job is acknowledged only after its rows are
 * stored.
 *
 * Up to `maxInFlight` inserts run at once, so ClickHouse parses and compresses one batch
 * while the worker decodes the next. A ready batch that finds every slot busy keeps
 * collecting rows until one frees: under load batches grow, which is when their lower
 * cost per row matters most. Their size stays bounded by the jobs running at once.
 */
export function createBatchWriter<TRow>(
  getClient: () => ClickHouseClient,
  options: TBatchWriterOptions,
): TBatchWriter<TRow> {
  const maxInFlight = Math.max(1, options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT);
  let pending: TPendingBatch<TRow> = { rows: [], waiters: [] };
  let timer: NodeJS.Timeout | null = null;
  /** The pending batch is due (full, timed out or flushed) and starts when a slot frees. */
  let due = false;
  const running = new Set<Promise<void>>();

  const insert = async (batch: TPendingBatch<TRow>): Promise<void> => {
    try {
      await getClient().insert({ table: options.table, values: batch.rows, format: "JSONEachRow" });
      for (const waiter of batch.waiters) waiter.resolve();
    } catch (error) {
      for (const waiter of batch.waiters) waiter.reject(error);
    }
  };

  const startIfDue = (): void => {
    if (!due || running.size >= maxInFlight) return;
    if (timer) clearTimeout(timer);
    timer = null;
    due = false;
    const batch = pending;
    pending = { rows: [], waiters: [] };
    if (batch.rows.length === 0) {
      for (const waiter of batch.waiters) waiter.resolve();
      return;
    }
    const done = insert(batch).finally(() => {
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
    write(rows) {
      if (rows.length === 0) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        pending.rows.push(...rows);
        pending.waiters.push({ resolve, reject });
        const isFull =
          pending.rows.length >= options.maxRows ||
          (options.maxWaiters !== undefined && pending.waiters.length >= options.maxWaiters);
        if (isFull) markDue();
        else if (!due) timer ??= setTimeout(markDue, options.maxWaitMs);
      });
    },
    async flush() {
      if (pending.rows.length > 0) markDue();
      // A due batch waiting for a slot starts when one frees; wait until none is left.
      while (running.size > 0 || pending.rows.length > 0) {
        if (running.size === 0) markDue();
        await Promise.all(running);
      }
    },
    get pendingRows() {
      return pending.rows.length;
    },
  };
}
