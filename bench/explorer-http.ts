/**
 * Trace explorer benchmark through the real server: the built all-in-one process, its
 * public API over HTTP and the trace page in Chromium.
 *
 * 1. Starts `apps/all-in-one/dist/main.js` on a fresh data directory so it seeds its demo
 *    account, then stops it (embedded ClickHouse is locked to one process).
 * 2. Seeds BENCH_SPANS spans (default 1M) and one 10,000-span trace into the demo project
 *    with `explorer-generator.ts`.
 * 3. Restarts the server and times GET /api/public/v1/traces with two filters (24 h and
 *    7 d windows), GET /api/public/v1/traces/{id}/tree for the 10,000-span trace, and the
 *    trace page in Chromium until the tree and the selected span are on screen; then
 *    scrolls the tree and records the longest gap between animation frames.
 *
 * Needs a build (`pnpm -r build`), Postgres and Redis. Run from the repository root:
 *   DATABASE_URL=… REDIS_URL=… pnpm bench:explorer-http
 * Hold /tmp/spanlens-build.lock while it runs if others may rebuild (it reads dist/ and .next/).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { loadavg } from "node:os";
import path from "node:path";
import { closeClickHouse, initClickHouse } from "../packages/clickhouse/src/index.js";
import { generateBigTrace, generateTraces, SPANS_PER_TRACE } from "./explorer-generator.js";
import { describeMachine, envNumber, loadAverageSince } from "./explorer-shared.js";
import { percentile, round } from "./stats.js";

const SPANS = envNumber("BENCH_SPANS", 1_000_000);
const ITERATIONS = envNumber("BENCH_ITERATIONS", 40);
const PAGE_ITERATIONS = envNumber("BENCH_PAGE_ITERATIONS", 8);
const PORT = envNumber("BENCH_PORT", 3124);
const BIG_TRACE_SPANS = 10_000;
const BIG_TRACE_ID = "b16b16b16b16b16b16b16b16b16b16b1";
const ROOT = path.resolve(import.meta.dirname, "..");
const DATA_DIR = process.env.BENCH_DATA_DIR ?? path.join(ROOT, ".data/bench-explorer-http");
const BASE = `http://127.0.0.1:${PORT}`;

const log = (message: string) => process.stderr.write(`[bench:explorer-http] ${message}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const summarize = (samples: number[]) => ({
  p50: round(percentile(samples, 50)),
  p95: round(percentile(samples, 95)),
  max: round(Math.max(...samples)),
  n: samples.length,
});

async function startServer(): Promise<ChildProcess> {
  const server = spawn(process.execPath, [path.join(ROOT, "apps/all-in-one/dist/main.js")], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(PORT),
      HOST: "127.0.0.1",
      PUBLIC_URL: BASE,
      NEXTAUTH_URL: BASE,
      NEXTAUTH_SECRET: process.env.NEXTAUTH_SECRET ?? "bench-secret",
      NODE_ENV: "production",
      SPANLENS_DATA_DIR: DATA_DIR,
      LOG_LEVEL: "warn",
    },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const deadline = Date.now() + 180_000;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`server exited with ${server.exitCode}`);
    const health = await fetch(`${BASE}/api/health`).catch(() => null);
    if (health?.ok) return server;
    await sleep(500);
  }
  server.kill("SIGTERM");
  throw new Error("server did not become healthy in 180 s");
}

async function stopServer(server: ChildProcess): Promise<void> {
  if (server.exitCode !== null) return;
  const exited = new Promise((resolve) => server.once("exit", resolve));
  server.kill("SIGTERM");
  await exited;
}

async function timeRequests(url: string, secretKey: string): Promise<ReturnType<typeof summarize> & { rows: number }> {
  const samples: number[] = [];
  let rows = 0;
  for (let iteration = -3; iteration < ITERATIONS; iteration += 1) {
    const started = performance.now();
    const response = await fetch(url, { headers: { Authorization: `Bearer ${secretKey}` } });
    const body = (await response.json()) as { data?: unknown[]; spans?: unknown[] };
    if (!response.ok) throw new Error(`${url} answered ${response.status}: ${JSON.stringify(body)}`);
    if (iteration >= 0) samples.push(performance.now() - started);
    rows = (body.data ?? body.spans ?? []).length;
  }
  const summary = { ...summarize(samples), rows };
  log(`  ${url.replace(BASE, "")}: p50 ${summary.p50} ms, p95 ${summary.p95} ms (${rows} rows)`);
  return summary;
}

/** The part of Playwright's API the page measurement uses. */
interface TLocator {
  first(): TLocator;
  waitFor(): Promise<void>;
  fill(value: string): Promise<void>;
  click(): Promise<void>;
}
interface TPage {
  goto(url: string, options?: { waitUntil: "commit" }): Promise<unknown>;
  getByTestId(testId: string): TLocator;
  waitForURL(predicate: (url: URL) => boolean): Promise<void>;
  evaluate<T>(script: string): Promise<T>;
}
interface TChromium {
  launch(options: { executablePath: string; args: string[] }): Promise<{
    newPage(options: { viewport: { width: number; height: number } }): Promise<TPage>;
    close(): Promise<void>;
  }>;
}

// Runs in the page: scrolls the tree 120 times, one step per animation frame, and returns
// the longest gap between frames (a smooth scroll keeps it near 16 ms).
const SCROLL_SCRIPT = `(async () => {
  const tree = document.querySelector('[data-testid="span-tree"]');
  if (!tree) return Number.NaN;
  let last = performance.now();
  let longest = 0;
  for (let step = 0; step < 120; step += 1) {
    tree.scrollTop += 400;
    await new Promise((resolve) => requestAnimationFrame(resolve));
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
  }
  return longest;
})()`;

async function measurePage(demo: { email: string; password: string; projectId: string }) {
  // Playwright lives in the e2e workspace; the bench borrows it rather than adding a copy.
  const requireFromE2e = createRequire(path.join(ROOT, "e2e/package.json"));
  const { chromium } = requireFromE2e("@playwright/test") as { chromium: TChromium };
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
  });
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  await page.goto(`${BASE}/sign-in`);
  await page.getByTestId("sign-in-email").fill(demo.email);
  await page.getByTestId("sign-in-password").fill(demo.password);
  await page.getByTestId("sign-in-submit").click();
  await page.waitForURL((url) => !url.pathname.startsWith("/sign-in"));
  const url = `${BASE}/project/${demo.projectId}/traces/${BIG_TRACE_ID}`;
  const interactive: number[] = [];
  const longestFrameGaps: number[] = [];
  for (let iteration = -1; iteration < PAGE_ITERATIONS; iteration += 1) {
    const started = Date.now();
    await page.goto(url, { waitUntil: "commit" });
    // Interactive: the tree rows are on screen and the landing span's detail has loaded.
    await page.getByTestId("span-row").first().waitFor();
    await page.getByTestId("span-detail").waitFor();
    if (iteration >= 0) interactive.push(Date.now() - started);
    const gap = await page.evaluate<number>(SCROLL_SCRIPT);
    if (iteration >= 0) longestFrameGaps.push(gap);
  }
  await browser.close();
  const result = { interactiveMs: summarize(interactive), scrollLongestFrameMs: summarize(longestFrameGaps) };
  log(`  trace page: interactive p50 ${result.interactiveMs.p50} ms, p95 ${result.interactiveMs.p95} ms`);
  log(
    `  tree scroll: longest frame p50 ${result.scrollLongestFrameMs.p50} ms, max ${result.scrollLongestFrameMs.max} ms`,
  );
  return result;
}

async function main() {
  if (!existsSync(path.join(ROOT, "apps/all-in-one/dist/main.js"))) throw new Error("build first: pnpm -r build");
  await rm(DATA_DIR, { recursive: true, force: true });
  log("first start (seeds the demo account)");
  let server = await startServer();
  let demo: { email: string; password: string; projectId: string; secretKey: string };
  try {
    // The demo account is seeded in the background after the server is healthy.
    const credentialsFile = path.join(DATA_DIR, "demo-credentials.json");
    for (let waited = 0; !existsSync(credentialsFile); waited += 500) {
      if (waited > 120_000) throw new Error(`${credentialsFile} did not appear within 120 s`);
      await sleep(500);
    }
    demo = JSON.parse(readFileSync(credentialsFile, "utf8")) as {
      email: string;
      password: string;
      projectId: string;
      secretKey: string;
    };
  } finally {
    await stopServer(server);
  }

  log(`seeding ${SPANS} spans and a ${BIG_TRACE_SPANS}-span trace into project ${demo.projectId}`);
  const seedStarted = performance.now();
  const client = await initClickHouse({
    mode: "embedded",
    path: path.join(DATA_DIR, "clickhouse"),
    database: "spanlens",
  });
  const now = Date.now();
  await generateBigTrace(client, demo.projectId, BIG_TRACE_ID, BIG_TRACE_SPANS, now);
  const traceCount = SPANS / SPANS_PER_TRACE;
  for (let first = 0; first < traceCount; first += 100_000) {
    await generateTraces(client, demo.projectId, first, Math.min(100_000, traceCount - first), now);
  }
  // Measure steady state: merge the seeded parts now rather than under the measurements.
  await client.command({ query: "OPTIMIZE TABLE traces FINAL" });
  await client.command({ query: "OPTIMIZE TABLE spans FINAL" });
  await client.command({ query: "OPTIMIZE TABLE scores FINAL" });
  await closeClickHouse();
  const seedSeconds = round((performance.now() - seedStarted) / 1000);

  server = await startServer();
  try {
    const loadBefore = loadavg();
    const list = (query: string) => `${BASE}/api/public/v1/traces?${query}`;
    const api = {
      list24hTagAndEnvironment: await timeRequests(list("range=24h&tags=domain:hr&environment=prod"), demo.secretKey),
      list7dTagAndEnvironment: await timeRequests(list("range=7d&tags=domain:hr&environment=prod"), demo.secretKey),
      list7dLowConfidenceInHr: await timeRequests(
        list("range=7d&tags=domain:hr&scores=confidence%3C0.5"),
        demo.secretKey,
      ),
      list7dErrorsWithModel: await timeRequests(list("range=7d&status=error&models=gpt-4o"), demo.secretKey),
      bigTraceTree: await timeRequests(`${BASE}/api/public/v1/traces/${BIG_TRACE_ID}/tree`, demo.secretKey),
    };
    const page = await measurePage(demo);
    process.stdout.write(
      `${JSON.stringify(
        {
          date: new Date().toISOString(),
          machine: describeMachine(),
          spans: SPANS + BIG_TRACE_SPANS,
          seedSeconds,
          iterations: ITERATIONS,
          loadAverage: loadAverageSince(loadBefore),
          apiMs: api,
          tracePage: page,
        },
        null,
        2,
      )}\n`,
    );
  } finally {
    await stopServer(server);
    if (!process.env.BENCH_KEEP_DATA) await rm(DATA_DIR, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
