/**
 * Trace explorer benchmark: seeds spans with `explorer-generator.ts` into an embedded
 * ClickHouse, then times the queries behind the trace-list API, the trace tree API and
 * the sessions/users views, first at 1M spans and then (unless BENCH_MAX_SPANS says
 * otherwise) at 10M spans in the same store, so the growth is measured on one data set.
 *
 * Run from the repository root: `pnpm bench:explorer` (no Postgres or Redis needed).
 * JSON summary on stdout, progress on stderr.
 */
import { mkdir, rm } from "node:fs/promises";
import { loadavg } from "node:os";
import path from "node:path";
import {
  closeClickHouse,
  getTraceTree,
  initClickHouse,
  listSessions,
  listTraces,
  listUsers,
  runClickHouseMigrations,
  type TTraceListFilter,
} from "../packages/clickhouse/src/index.js";
import { generateBigTrace, generateTraces, SPANS_PER_TRACE } from "./explorer-generator.js";
import { describeMachine, envNumber, loadAverageSince, timeQuery } from "./explorer-shared.js";
import { round } from "./stats.js";

const STAGES = [1_000_000, 10_000_000].filter((spans) => spans <= envNumber("BENCH_MAX_SPANS", 10_000_000));
const ITERATIONS = envNumber("BENCH_ITERATIONS", 40);
const BIG_TRACE_SPANS = envNumber("BENCH_BIG_TRACE_SPANS", 10_000);
const SEED_CHUNK_TRACES = 100_000;
const DATA_DIR = process.env.BENCH_DATA_DIR ?? path.resolve(".data/bench-explorer");
const PROJECT = "bench-explorer";
const BIG_TRACE_ID = "b16b16b16b16b16b16b16b16b16b16b1";
const HOUR = 3600_000;
const DAY = 24 * HOUR;

const log = (message: string) => process.stderr.write(`[bench:explorer] ${message}\n`);

const time = (label: string, run: (iteration: number) => Promise<unknown>) => timeQuery(label, ITERATIONS, run, log);

async function main() {
  await rm(DATA_DIR, { recursive: true, force: true });
  await mkdir(DATA_DIR, { recursive: true });
  const client = await initClickHouse({ mode: "embedded", path: DATA_DIR, database: "bench_explorer" });
  await runClickHouseMigrations(client, { database: "bench_explorer" });
  const now = Date.now();
  await generateBigTrace(client, PROJECT, BIG_TRACE_ID, BIG_TRACE_SPANS, now);

  const results: Record<string, unknown>[] = [];
  let seededTraces = 0;
  for (const targetSpans of STAGES) {
    const targetTraces = targetSpans / SPANS_PER_TRACE;
    const seedStarted = performance.now();
    while (seededTraces < targetTraces) {
      const chunk = Math.min(SEED_CHUNK_TRACES, targetTraces - seededTraces);
      await generateTraces(client, PROJECT, seededTraces, chunk, now);
      seededTraces += chunk;
      log(`seeded ${seededTraces * SPANS_PER_TRACE} spans`);
    }
    const seedSeconds = (performance.now() - seedStarted) / 1000;
    // Let background merges settle so the figures reflect steady state, not a part storm.
    await client.command({ query: "OPTIMIZE TABLE traces FINAL" });
    await client.command({ query: "OPTIMIZE TABLE spans FINAL" });
    const [counts] = await (
      await client.query({
        query: `SELECT (SELECT count() FROM spans) AS spans, (SELECT uniqExact(trace_id) FROM traces) AS traces,
                       (SELECT count() FROM scores) AS scores`,
        format: "JSONEachRow",
      })
    ).json<{ spans: number; traces: number; scores: number }>();
    log(`measuring at ${counts?.spans} spans`);
    const loadBefore = loadavg();

    const list = (windowMs: number, extra: Partial<TTraceListFilter>) => (iteration: number) => {
      const to = new Date(now - iteration * 60_000);
      return listTraces(client, {
        projectId: PROJECT,
        from: new Date(to.getTime() - windowMs),
        to,
        limit: 50,
        ...extra,
      });
    };
    const window = (windowMs: number) => (iteration: number) => {
      const to = new Date(now - iteration * 60_000);
      return { projectId: PROJECT, from: new Date(to.getTime() - windowMs), to, limit: 100 };
    };
    const queries = {
      list24hTagAndEnvironment: await time(
        "list 24h, tag + environment",
        list(DAY, { tags: ["domain:hr"], environment: "prod" }),
      ),
      list7dTagAndEnvironment: await time(
        "list 7d, tag + environment",
        list(7 * DAY, { tags: ["domain:hr"], environment: "prod" }),
      ),
      list7dLowConfidenceInHr: await time(
        "list 7d, tag + score below 0.5",
        list(7 * DAY, { tags: ["domain:hr"], scores: [{ name: "confidence", max: 0.5 }] }),
      ),
      list7dErrorsWithModel: await time(
        "list 7d, error + model",
        list(7 * DAY, { status: "error", models: ["gpt-4o"] }),
      ),
      list7dRetrievalBelowAndFeedback: await time(
        "list 7d, retrieval top score < 0.2 + negative feedback",
        list(7 * DAY, { retrievalTopScoreBelow: 0.2, feedback: "negative" }),
      ),
      list7dSlowestInHr: await time(
        "list 7d, tag + environment, sorted by duration",
        list(7 * DAY, { tags: ["domain:hr"], environment: "prod", sortBy: "durationMs" }),
      ),
      list24hSearch: await time("list 24h, full-text search", list(DAY, { search: "trace 4242" })),
      bigTraceTree: await time(`tree of the ${BIG_TRACE_SPANS}-span trace`, () =>
        getTraceTree(client, PROJECT, BIG_TRACE_ID),
      ),
      sessions7d: await time("sessions 7d", (iteration) => listSessions(client, window(7 * DAY)(iteration))),
      users7d: await time("users 7d", (iteration) => listUsers(client, window(7 * DAY)(iteration))),
    };
    results.push({
      spans: counts?.spans,
      traces: counts?.traces,
      scores: counts?.scores,
      seedSeconds: round(seedSeconds),
      loadAverage: loadAverageSince(loadBefore),
      queriesMs: queries,
    });
  }
  await closeClickHouse();
  await rm(DATA_DIR, { recursive: true, force: true });
  process.stdout.write(
    `${JSON.stringify(
      {
        date: new Date().toISOString(),
        machine: describeMachine(),
        iterations: ITERATIONS,
        stages: results,
      },
      null,
      2,
    )}\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
