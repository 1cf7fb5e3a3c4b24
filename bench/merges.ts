/**
 * What ClickHouse's background merges cost per stored span, by insert batch size. The
 * ingest benchmark's rows (decode → normalize → row, fresh ids, one project, as phase (b)
 * writes them) go into an embedded engine through the worker's own encoding and insert, two
 * inserts at once; then the run waits until no merge has run for 5 s. Reported per stored
 * row: CPU while inserting (merges run meanwhile), CPU until the merges are done, rows
 * merged, and the merge threads' time.
 *
 * BENCH_MERGES_CODECS compares codecs instead: each codec in the list replaces the migrated
 * one on every `spans` column that declares a codec (the payload columns), and the run also
 * reports what `spans` takes on disk once merged. Merges decompress and recompress every
 * row they rewrite, so a codec costs once per insert and again per merge.
 *
 * BENCH_MERGES_SETTINGS compares `spans` table settings the same way: a `|`-separated list of
 * `MODIFY SETTING` lists (an empty entry keeps the migrated table), for example the merge
 * selector's `merge_selector_base`, which trades rows rewritten for parts left standing.
 *
 * Each variant runs in a fresh child process on a fresh data directory (chdb opens one
 * directory per process), in alternating rounds.
 *
 *   pnpm bench:merges        (BENCH_MERGES_BATCH_ROWS=5000,20000 BENCH_MERGES_ROWS=300000 BENCH_MERGES_ROUNDS=2)
 *   BENCH_MERGES_BATCH_ROWS=5000 BENCH_MERGES_CODECS='ZSTD(3),ZSTD(1),LZ4' pnpm bench:merges
 *   BENCH_MERGES_BATCH_ROWS=5000 BENCH_MERGES_SETTINGS='|merge_selector_base = 5' pnpm bench:merges
 */
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import {
  applyEmbeddedMallocConf,
  createClickHouse,
  encodeRows,
  insertEncoded,
  runClickHouseMigrations,
  type TSpanRow,
} from "../packages/clickhouse/src/index.js";
import { runVariant, variantArguments } from "./child-variant.js";
import { engineCounters } from "./engine-counters.js";
import { SPANS_PER_REQUEST, uniqueBodies } from "./ingest-bodies.js";
import { spanRowsOf } from "./span-rows.js";
import { round } from "./stats.js";

const ROWS = Number(process.env.BENCH_MERGES_ROWS ?? 300_000);
const INSERTS_IN_FLIGHT = 2;
const QUIET_S = 5;
const MAX_WAIT_S = 180;

/**
 * The migrated codecs when `codec` is empty, otherwise a codec such as `ZSTD(1)` or `LZ4`;
 * `settings`, when given, is applied to `spans` with `MODIFY SETTING`.
 */
async function variant(batchRows: number, codec: string, settings: string) {
  applyEmbeddedMallocConf();
  const dir = await mkdtemp(path.join(tmpdir(), "spanlens-merges-"));
  const client = await createClickHouse({ mode: "embedded", path: dir, database: "spanlens" });
  await runClickHouseMigrations(client, { database: "spanlens" });
  const query = async <T>(sql: string) =>
    (await (await client.query({ query: sql, format: "JSONEachRow" })).json()) as T[];
  if (codec) {
    const coded = await query<{ name: string; type: string }>(
      "SELECT name, type FROM system.columns WHERE database = 'spanlens' AND table = 'spans' AND compression_codec != ''",
    );
    const changes = coded.map(({ name, type }) => `MODIFY COLUMN ${name} ${type} CODEC(${codec})`);
    await client.command({ query: `ALTER TABLE spans ${changes.join(", ")}` });
  }
  if (settings) await client.command({ query: `ALTER TABLE spans MODIFY SETTING ${settings}` });

  const template = spanRowsOf(uniqueBodies(2000), "merges");
  // Unique rows under one project, ten spans per trace, encoded before the clock starts.
  const projectId = `merges-${randomUUID()}`;
  const batches = Array.from({ length: Math.ceil(ROWS / batchRows) }, (_, batch) => {
    let traceId = "";
    const rows = Array.from({ length: batchRows }, (_, index) => {
      const row = batch * batchRows + index;
      if (row % SPANS_PER_REQUEST === 0) traceId = randomBytes(16).toString("hex");
      return {
        ...(template[row % template.length] as TSpanRow),
        project_id: projectId,
        trace_id: traceId,
        span_id: randomBytes(8).toString("hex"),
      };
    });
    return encodeRows(rows);
  });

  const before = await engineCounters(client);
  const cpuAtStart = process.cpuUsage();
  const start = performance.now();
  let next = 0;
  const lane = async () => {
    while (next < batches.length) {
      const batch = batches[next++];
      if (batch) await insertEncoded(client, "spans", batch);
    }
  };
  await Promise.all(Array.from({ length: INSERTS_IN_FLIGHT }, lane));
  const insertSeconds = (performance.now() - start) / 1000;
  const insertCpu = process.cpuUsage(cpuAtStart);
  let quiet = 0;
  let waited = 0;
  while (quiet < QUIET_S && waited < MAX_WAIT_S) {
    await sleep(1000);
    waited += 1;
    const [merges] = await query<{ running: string }>("SELECT count() AS running FROM system.merges");
    quiet = Number(merges?.running) === 0 ? quiet + 1 : 0;
  }
  const totalCpu = process.cpuUsage(cpuAtStart);
  const after = await engineCounters(client);
  const [parts] = await query<{ parts: string; onDisk: string; uncompressed: string }>(
    "SELECT count() AS parts, sum(bytes_on_disk) AS onDisk, sum(data_uncompressed_bytes) AS uncompressed " +
      "FROM system.parts WHERE active AND database = 'spanlens' AND table = 'spans'",
  );
  await client.close();
  await rm(dir, { recursive: true, force: true });
  const stored = batches.length * batchRows;
  const perRow = (micros: number) => round(micros / stored, 1);
  return {
    batchRows,
    codec: codec || "as migrated",
    settings: settings || "as migrated",
    rows: stored,
    insertRowsPerSecond: Math.round(stored / insertSeconds),
    cpuMicrosPerRowWhileInserting: perRow(insertCpu.user + insertCpu.system),
    cpuMicrosPerRowUntilMerged: perRow(totalCpu.user + totalCpu.system),
    mergedPerInsertedRow: round((after.mergedRows - before.mergedRows) / (after.insertedRows - before.insertedRows), 2),
    mergeExecuteMicrosPerRow: perRow((after.mergeExecuteMs - before.mergeExecuteMs) * 1000),
    spansActivePartsAtEnd: Number(parts?.parts ?? 0),
    spansOnDiskMiB: round(Number(parts?.onDisk ?? 0) / 2 ** 20, 1),
    spansUncompressedMiB: round(Number(parts?.uncompressed ?? 0) / 2 ** 20, 1),
    mergesStillRunning: quiet < QUIET_S,
  };
}

const child = variantArguments();
if (child) {
  process.stdout.write(`${JSON.stringify(await variant(Number(child[0]), child[1] ?? "", child[2] ?? ""))}\n`);
  process.exit(0);
}

const batchSizes = (process.env.BENCH_MERGES_BATCH_ROWS ?? "5000,20000").split(",").map(Number);
const codecs = (process.env.BENCH_MERGES_CODECS ?? "").split(",").map((codec) => codec.trim());
const settingsList = (process.env.BENCH_MERGES_SETTINGS ?? "").split("|").map((settings) => settings.trim());
const rounds = Number(process.env.BENCH_MERGES_ROUNDS ?? 2);
const results = [];
for (let roundIndex = 0; roundIndex < rounds; roundIndex++) {
  for (const batchRows of batchSizes) {
    for (const codec of codecs) {
      for (const settings of settingsList) {
        console.error(
          `round ${roundIndex + 1}/${rounds}: batches of ${batchRows} rows, codec ${codec || "as migrated"}, ` +
            `settings ${settings || "as migrated"}…`,
        );
        const result = runVariant(import.meta.filename, [String(batchRows), codec, settings]);
        console.error(JSON.stringify(result));
        results.push({ round: roundIndex + 1, ...result });
      }
    }
  }
}
process.stdout.write(`${JSON.stringify({ rows: ROWS, insertsInFlight: INSERTS_IN_FLIGHT, results }, null, 2)}\n`);
