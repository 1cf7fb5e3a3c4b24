/**
 * Phase (a) of the ingest benchmark: the ClickHouse insert ceiling. The worker's own rows
 * (real payloads → decode → normalize → map) go straight into ClickHouse with the worker's
 * client, batch writer and inserts in flight, at two batch sizes:
 *  - the worker's row cap (`WORKER_BATCH_MAX_ROWS`, 20,000), the ceiling of runs 11–45;
 *  - the size the worker's batches are due at with the benchmark's requests (a batch is due
 *    once half the jobs in flight wait on it, each job one request of 10 spans: 5,120 rows),
 *    the pipeline's own batch size.
 * The engine first takes unmeasured inserts for `warmupS` (a fresh process pays one-off
 * costs on its first inserts that a later phase does not), then each size is measured twice,
 * in the order cap, worker, worker, cap, so that a machine drifting over the minutes weighs
 * on both alike. Every pass starts on empty tables: its rows are dropped after it.
 */
import { randomUUID } from "node:crypto";
import { getClickHouse } from "../apps/all-in-one/test/pipeline-harness.js";
import { createBatchWriter, encodeRows, type TSpanRow } from "../packages/clickhouse/src/index.js";
import { type TEngineCounts, withEngineCounters } from "./engine-counters.js";
import { SPANS_PER_REQUEST, uniqueBodies } from "./ingest-bodies.js";
import { processCpuMicros } from "./ingest-measure.js";
import { probeMachineSpeed } from "./machine-probe.js";
import { spanRowsOf } from "./span-rows.js";
import { round } from "./stats.js";

export interface TCeilingOptions {
  /** How long each measured pass inserts (as long as (b) sends by default). */
  seconds: number;
  /** Unmeasured inserts before the first pass; 0 skips them. */
  warmupSeconds: number;
  capRows: number;
  workerBatchRows: number;
  insertsInFlight: number;
  /** Requests whose spans are the rows' template. */
  requests: number;
  /** Leaves the last pass's rows in the tables for (b) (as runs up to 21 did). */
  keepRows: boolean;
  /** The ClickHouse process, whose CPU is counted with the client's. */
  clickhousePid: number | undefined;
}

type TPass = Awaited<ReturnType<typeof insertFor>> & { engine: TEngineCounts };

/** Inserts batches of `batchRows` rows for `seconds` and counts the rows, time and CPU. */
async function insertFor(batchRows: number, seconds: number, options: TCeilingOptions) {
  // Built again for every pass, outside the timed window: how fast this process decodes the
  // same bodies is a probe of the machine's speed during that pass (docs/benchmarks.md, run 45).
  const bodies = uniqueBodies(options.requests);
  const mapStart = performance.now();
  const template = spanRowsOf(bodies, "ceiling");
  const mapMs = performance.now() - mapStart;
  // The same probe as around the load phases: the one above decodes each body once, so in
  // the first pass it times code not yet optimized.
  const machineProbeRowsPerSecond = probeMachineSpeed();
  let rows = 0;
  let batches = 0;
  const cpuAtStart = process.cpuUsage();
  const engineCpuAtStart = options.clickhousePid ? processCpuMicros(options.clickhousePid) : 0;
  const start = performance.now();
  const deadline = start + seconds * 1000;
  // Each lane encodes and inserts one batch after another until the deadline, so while one
  // insert is in the engine the next batch is being encoded, as in the worker. Every batch
  // takes the next `batchRows` template rows under a project id of its own, so no row
  // collapses into another. The rows go through the worker's own batch writer, encoded one
  // request's spans at a time as its jobs encode them, so each insert streams the same
  // pieces as the worker's (up to run 23 each batch was encoded and sent as one string,
  // which cost the client ~20% more per row).
  const writer = createBatchWriter(getClickHouse, {
    table: "spans",
    maxRows: batchRows,
    maxWaitMs: 1000,
    maxInFlight: options.insertsInFlight,
  });
  const lane = async () => {
    while (performance.now() < deadline) {
      const first = (batches * batchRows) % template.length;
      batches += 1;
      const projectId = `ceiling-${randomUUID()}`;
      const batch = Array.from({ length: batchRows }, (_, index) => ({
        ...(template[(first + index) % template.length] as TSpanRow),
        project_id: projectId,
      }));
      const written: Promise<void>[] = [];
      for (let offset = 0; offset < batch.length; offset += SPANS_PER_REQUEST) {
        written.push(writer.write(encodeRows(batch.slice(offset, offset + SPANS_PER_REQUEST))));
      }
      await Promise.all(written);
      rows += batch.length;
    }
  };
  await Promise.all(Array.from({ length: options.insertsInFlight }, lane));
  const insertMs = performance.now() - start;
  return {
    rows,
    insertMs,
    clientCpuMicros: (({ user, system }) => user + system)(process.cpuUsage(cpuAtStart)),
    engineCpuMicros: options.clickhousePid ? processCpuMicros(options.clickhousePid) - engineCpuAtStart : 0,
    insertRowsPerSecond: Math.round(rows / (insertMs / 1000)),
    decodeNormalizeMapRowsPerSecond: Math.round(template.length / (mapMs / 1000)),
    machineProbeRowsPerSecond,
  };
}

/** One batch size's passes together: rows over the passes' summed insert time, CPU per row over all. */
function summarize(batchRows: number, passes: TPass[], insertsInFlight: number) {
  const sum = (pick: (pass: TPass) => number) => passes.reduce((total, pass) => total + pick(pass), 0);
  const rows = sum((pass) => pass.rows);
  const insertedRows = sum((pass) => pass.engine.insertedRows);
  const mergedRows = sum((pass) => pass.engine.mergedRows);
  const mergeExecuteMicros = sum((pass) => pass.engine.mergeExecuteMicrosPerInsertedRow * pass.engine.insertedRows);
  const insertSeconds = sum((pass) => pass.insertMs) / 1000;
  return {
    rows,
    batchRows,
    insertsInFlight,
    insertSeconds: round(insertSeconds, 2),
    insertRowsPerSecond: Math.round(rows / insertSeconds),
    // The client's JSON encoding, ClickHouse's parsing, compression and any merges meanwhile.
    insertCpuMicrosPerRow: round(sum((pass) => pass.clientCpuMicros + pass.engineCpuMicros) / rows),
    clientCpuMicrosPerRow: round(sum((pass) => pass.clientCpuMicros) / rows),
    engineCpuMicrosPerRow: round(sum((pass) => pass.engineCpuMicros) / rows),
    engine: {
      insertStatements: sum((pass) => pass.engine.insertStatements),
      insertedRows,
      mergedRows,
      mergedPerInsertedRow: insertedRows > 0 ? round(mergedRows / insertedRows, 2) : 0,
      mergeExecuteMicrosPerInsertedRow: insertedRows > 0 ? round(mergeExecuteMicros / insertedRows, 1) : 0,
    },
    passes: passes.map((pass) => ({
      rows: pass.rows,
      insertSeconds: round(pass.insertMs / 1000, 2),
      insertRowsPerSecond: pass.insertRowsPerSecond,
      clientCpuMicrosPerRow: round(pass.clientCpuMicros / pass.rows),
      engineCpuMicrosPerRow: round(pass.engineCpuMicros / pass.rows),
      decodeNormalizeMapRowsPerSecond: pass.decodeNormalizeMapRowsPerSecond,
      machineProbeRowsPerSecond: pass.machineProbeRowsPerSecond,
      engine: pass.engine,
    })),
  };
}

/**
 * Empties the tables a pass or a load phase writes. The ceiling's rows share the `spans`
 * partition that (b) writes: left in place, the next pass's or (b)'s merges would rewrite
 * them too, work the pass itself never paid (it started on an empty table).
 */
async function dropRows(): Promise<void> {
  for (const table of ["spans", "traces"]) await getClickHouse().command({ query: `TRUNCATE TABLE ${table}` });
}

/**
 * One more pass at `batchRows`, on empty tables, its rows dropped after it: the ceiling of
 * one of the benchmark's paired rounds, each measured right before a load phase of its own.
 */
export async function measureCeilingPass(batchRows: number, options: TCeilingOptions) {
  await dropRows();
  const pass = await withEngineCounters(getClickHouse(), () => insertFor(batchRows, options.seconds, options));
  await dropRows();
  return summarize(batchRows, [pass], options.insertsInFlight);
}

/** The warm-up, then both batch sizes' passes; see the file's comment. */
export async function measureCeilings(options: TCeilingOptions) {
  const client = getClickHouse();
  if (options.warmupSeconds > 0) {
    await insertFor(options.workerBatchRows, options.warmupSeconds, options);
    await dropRows();
  }
  const passes: Record<"cap" | "worker", TPass[]> = { cap: [], worker: [] };
  const order = ["cap", "worker", "worker", "cap"] as const;
  for (const [index, size] of order.entries()) {
    const batchRows = size === "cap" ? options.capRows : options.workerBatchRows;
    const pass = await withEngineCounters(client, () => insertFor(batchRows, options.seconds, options));
    console.error(
      `ceiling pass ${index + 1}/${order.length}: ${batchRows}-row batches, ${pass.insertRowsPerSecond} rows/s`,
    );
    passes[size].push(pass);
    if (index < order.length - 1 || !options.keepRows) await dropRows();
  }
  return {
    cap: summarize(options.capRows, passes.cap, options.insertsInFlight),
    workerBatch: summarize(options.workerBatchRows, passes.worker, options.insertsInFlight),
  };
}
