/**
 * What standing parts cost the reads on `spans`. Background merges leave a number of
 * parts standing in each monthly partition between merges (more with a wider merge
 * selector, `merge_selector_base`, see migration 0011), and every read that is not
 * confined to a few days by the key checks every part of the partitions it covers: the
 * trace view (`FINAL` on one trace id) and the span filters of the trace list among them.
 *
 * Each variant seeds the same spans (`explorer-generator.ts`, ten spans per trace over 30
 * days) into a fresh embedded engine with the merges of `spans` stopped, in as many inserts
 * as the parts it asks for, so each monthly partition holds that many parts; the rollup and
 * scores are merged to one part each so only `spans` differs. Then it times the trace view,
 * the trace tree, three trace lists whose filters read `spans`, and one whose filters read
 * only the rollup (every list still reads its page's rows from `spans`, see
 * `summarizeTraces`). Variants run in fresh child processes on fresh data directories
 * (`child-variant.ts`), in rounds that alternate the order.
 *
 * `BENCH_PARTS_LAYOUT=recent` lays the parts out as live ingest does instead (`seedRecent`):
 * everything older than a day in one part, the last day in time order over the others.
 *
 *   pnpm bench:explorer-parts   (BENCH_PARTS=1,4,8,16,32 BENCH_PARTS_SPANS=1000000 BENCH_ITERATIONS=60
 *                                BENCH_PARTS_ROUNDS=2 BENCH_PARTS_LAYOUT=spread)
 */
import { createHash } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import path from "node:path";
import {
  type ClickHouseClient,
  createClickHouse,
  getTrace,
  getTraceTree,
  listTraces,
  runClickHouseMigrations,
  summarizeTraces,
  type TTraceListFilter,
} from "../packages/clickhouse/src/index.js";
import { runVariant, variantArguments } from "./child-variant.js";
import { generateTraces, SPANS_PER_TRACE } from "./explorer-generator.js";
import { describeMachine, envNumber, loadAverageSince, timeQuery } from "./explorer-shared.js";

const SPANS = envNumber("BENCH_PARTS_SPANS", 1_000_000);
/** `spread`: every insert holds spans of all 30 days; `recent`: see `seedRecent`. */
const LAYOUT = process.env.BENCH_PARTS_LAYOUT ?? "spread";
if (LAYOUT !== "spread" && LAYOUT !== "recent")
  throw new Error(`BENCH_PARTS_LAYOUT must be spread or recent, not ${LAYOUT}`);
const ITERATIONS = envNumber("BENCH_ITERATIONS", 60);
const PROJECT = "bench-parts";
const DAY = 24 * 3600_000;

/** The filters of the list that reads only the rollup. */
const TAG_AND_ENVIRONMENT: Partial<TTraceListFilter> = { tags: ["domain:hr"], environment: "prod" };

const log = (message: string) => process.stderr.write(`[bench:explorer-parts] ${message}\n`);

/** The id `explorer-generator.ts` gives trace number `t`. */
const traceIdOf = (t: number) => createHash("md5").update(`trace-${t}`).digest("hex");

/** Merges `spans` down to one part per partition, with its background merges stopped again after. */
async function mergeSpansToOnePart(client: ClickHouseClient) {
  await client.command({ query: "SYSTEM START MERGES spans" });
  await client.command({ query: "OPTIMIZE TABLE spans FINAL" });
  await client.command({ query: "SYSTEM STOP MERGES spans" });
}

/**
 * The `recent` layout: the traces that started more than a day before `now` in one insert,
 * the last day's in `inserts` inserts in the order they started, as a live project's ingest
 * leaves them (merges fold old parts first, so the parts standing are mostly the newest).
 * The spans are generated once into a staging table and copied back slice by slice.
 */
async function seedRecent(client: ClickHouseClient, traces: number, inserts: number, now: number) {
  await generateTraces(client, PROJECT, 0, traces, now);
  await client.command({ query: "CREATE TABLE spans_staged AS spans" });
  await client.command({ query: "INSERT INTO spans_staged SELECT * FROM spans" });
  await client.command({ query: "TRUNCATE TABLE spans" });
  await client.command({ query: "TRUNCATE TABLE traces" });
  const copyTracesStarting = (fromMs: number, toMs: number) =>
    client.command({
      query: `INSERT INTO spans SELECT * FROM spans_staged WHERE trace_id IN (
                SELECT trace_id FROM spans_staged GROUP BY trace_id
                HAVING toUnixTimestamp64Milli(min(start_time)) >= {fromMs:Int64}
                   AND toUnixTimestamp64Milli(min(start_time)) < {toMs:Int64})`,
      query_params: { fromMs, toMs },
    });
  const dayAgo = now - DAY;
  await copyTracesStarting(0, dayAgo);
  // One part per partition for the older spans, however many blocks the copy wrote.
  await mergeSpansToOnePart(client);
  // The generator starts every trace at or before `now`.
  const step = (DAY + 1) / inserts;
  for (let slice = 0; slice < inserts; slice++) {
    await copyTracesStarting(Math.round(dayAgo + slice * step), Math.round(dayAgo + (slice + 1) * step));
  }
  await client.command({ query: "DROP TABLE spans_staged" });
}

async function variant(inserts: number) {
  const dir = await mkdtemp(path.join(tmpdir(), "spanlens-parts-"));
  const client = await createClickHouse({ mode: "embedded", path: dir, database: "spanlens" });
  await runClickHouseMigrations(client, { database: "spanlens" });
  const query = async <T>(sql: string) =>
    (await (await client.query({ query: sql, format: "JSONEachRow" })).json()) as T[];

  const now = Date.now();
  const traces = Math.ceil(SPANS / SPANS_PER_TRACE);
  await client.command({ query: "SYSTEM STOP MERGES spans" });
  if (LAYOUT === "recent") await seedRecent(client, traces, inserts, now);
  else {
    const chunk = Math.ceil(traces / inserts);
    for (let first = 0; first < traces; first += chunk) {
      await generateTraces(client, PROJECT, first, Math.min(chunk, traces - first), now);
    }
  }
  // Only `spans` should differ between variants: the rollup and the scores become one part
  // per partition, and a single insert that the engine split into several blocks is merged
  // back so the one-part variant has one.
  await client.command({ query: "OPTIMIZE TABLE traces FINAL" });
  await client.command({ query: "OPTIMIZE TABLE scores FINAL" });
  if (inserts === 1) await mergeSpansToOnePart(client);
  const parts = await query<{ partition: string; parts: string; rows: string }>(
    `SELECT partition, count() AS parts, sum(rows) AS rows FROM system.parts
     WHERE active AND database = currentDatabase() AND table = 'spans' GROUP BY partition ORDER BY partition`,
  );
  log(`${inserts} insert(s): ${parts.map((p) => `${p.partition} ${p.parts} parts`).join(", ")}`);

  // The same traces in every variant, spread over the data set.
  const traceAt = (iteration: number) => traceIdOf((iteration * 7919 + 13) % traces);
  const list = (windowMs: number, extra: Partial<TTraceListFilter>) => (iteration: number) => {
    const to = new Date(now - iteration * 60_000);
    return listTraces(client, { projectId: PROJECT, from: new Date(to.getTime() - windowMs), to, limit: 50, ...extra });
  };
  const time = (label: string, run: (iteration: number) => Promise<unknown>) => timeQuery(label, ITERATIONS, run, log);
  const loadBefore = loadavg();
  const queriesMs = {
    traceView: await time("trace view (spans FINAL by trace id)", (i) => getTrace(client, PROJECT, traceAt(i))),
    traceTree: await time("trace tree", (i) => getTraceTree(client, PROJECT, traceAt(i + ITERATIONS))),
    list7dToolSpansWithErrors: await time(
      "list 7d, tool spans + error",
      list(7 * DAY, { kinds: ["tool"], status: "error" }),
    ),
    list7dRetrievalBelowAndFeedback: await time(
      "list 7d, retrieval top score < 0.2 + negative feedback",
      list(7 * DAY, { retrievalTopScoreBelow: 0.2, feedback: "negative" }),
    ),
    list24hSearch: await time("list 24h, full-text search", list(DAY, { search: "trace 4242" })),
    list24hTagAndEnvironment: await time(
      "list 24h, tag + environment (filters on the rollup)",
      list(DAY, TAG_AND_ENVIRONMENT),
    ),
  };
  // The page's rows from `spans` alone, for the newest page of the last list: bounded by
  // the page's earliest start, as `listTraces` asks for them, and by that start's day only,
  // as it did up to the eighteenth session (the same query otherwise).
  const newest = await list(DAY, TAG_AND_ENVIRONMENT)(0);
  const pageStarts = newest.data.map((trace) => Date.parse(trace.startTime));
  const pageIds = newest.data.map((trace) => trace.traceId);
  const earliest = Math.min(...pageStarts);
  const summarize = (fromMs: number) => () =>
    summarizeTraces(client, PROJECT, new Date(fromMs), new Date(Math.max(...pageStarts)), pageIds);
  const pageRowsMs = {
    pageRowsFromEarliestStart: await time("page rows from spans, from the page's earliest start", summarize(earliest)),
    pageRowsFromStartOfDay: await time(
      "page rows from spans, from that day's start",
      summarize(earliest - (earliest % DAY)),
    ),
  };
  await client.close();
  await rm(dir, { recursive: true, force: true });
  return {
    inserts,
    partsPerPartition: parts.map((p) => ({ partition: p.partition, parts: Number(p.parts), rows: Number(p.rows) })),
    loadAverage: loadAverageSince(loadBefore),
    queriesMs,
    pageRowsMs,
  };
}

const child = variantArguments();
if (child) {
  process.stdout.write(`${JSON.stringify(await variant(Number(child[0])))}\n`);
  process.exit(0);
}

const partCounts = (process.env.BENCH_PARTS ?? "1,4,8,16,32").split(",").map(Number);
const rounds = envNumber("BENCH_PARTS_ROUNDS", 2);
const results = [];
for (let roundIndex = 0; roundIndex < rounds; roundIndex++) {
  // Alternate the order so a machine that slows over the run does not favour one end.
  const order = roundIndex % 2 === 0 ? partCounts : [...partCounts].reverse();
  for (const inserts of order) {
    log(`round ${roundIndex + 1}/${rounds}: ${SPANS} spans in ${inserts} insert(s)…`);
    results.push({ round: roundIndex + 1, ...runVariant(import.meta.filename, [String(inserts)]) });
  }
}
process.stdout.write(
  `${JSON.stringify(
    {
      date: new Date().toISOString(),
      machine: describeMachine(),
      spans: SPANS,
      layout: LAYOUT,
      iterations: ITERATIONS,
      results,
    },
    null,
    2,
  )}\n`,
);
