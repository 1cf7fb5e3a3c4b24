import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type ClickHouseClient, isEmbeddedClient } from "../client.js";
import { runClickHouseMigrations } from "../migrate.js";
import { closeClickHouse, initClickHouse } from "../registry.js";
import { toClickHouseTime } from "../spans/span-row.js";
import { streamTraceSpans, type TSpanDto } from "./trace-detail.js";

// Real embedded ClickHouse. One long trace stored in three parts: two halves, and a
// redelivered copy of some spans that merges have not folded. Several spans share a start
// time, so the pages' cursor must break ties by span id; another trace and another
// project's trace with the same id sit beside it.
let dataDir: string;
let client: ClickHouseClient;
const database = "trace_detail_it";
const PROJECT = "proj-long";
const TRACE = "1ee7".padEnd(32, "0");
const OTHER_TRACE = "0dd".padEnd(32, "0");
const SPANS = 1_000;
const START = Date.UTC(2026, 11, 1, 12);

const spanIdOf = (n: number) =>
  `${((n * 2_654_435_761) % 4_294_967_296).toString(16).padStart(8, "0")}${n.toString(16).padStart(8, "0")}`;
// Seven spans per millisecond, so ties on start_time are the rule and pages end inside them; outputs from 10 to ~5,000 characters.
const row = (n: number, project = PROJECT, trace = TRACE) => ({
  project_id: project,
  trace_id: trace,
  span_id: spanIdOf(n),
  parent_span_id: n === 0 ? "" : spanIdOf(0),
  start_time: toClickHouseTime(START + Math.floor(n / 7)),
  end_time: toClickHouseTime(START + Math.floor(n / 7) + 5),
  name: `step ${n}`,
  kind: "generation",
  output: `${n} ${"x".repeat((n * 37) % 5_000)}`,
});
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, index) => from + index);

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), "spanlens-ch-trace-detail-"));
  client = await initClickHouse({ mode: "embedded", path: path.join(dataDir, "clickhouse"), database });
  await runClickHouseMigrations(client, { database });
  const insert = (values: ReturnType<typeof row>[]) => client.insert({ table: "spans", values, format: "JSONEachRow" });
  await insert(range(0, SPANS / 2).map((n) => row(n)));
  await insert(range(SPANS / 2, SPANS).map((n) => row(n)));
  await insert(range(300, 400).map((n) => row(n)));
  await insert([row(0, PROJECT, OTHER_TRACE), row(5_000, "proj-other"), row(5_001, "proj-other")]);
});

afterAll(async () => {
  await closeClickHouse();
  await rm(dataDir, { recursive: true, force: true });
});

/** The trace's span ids as they must come: by start time, then span id. */
const expectedOrder = () =>
  range(0, SPANS)
    .map((n) => row(n))
    .sort((a, b) => a.start_time.localeCompare(b.start_time) || a.span_id.localeCompare(b.span_id))
    .map((span) => span.span_id);

async function read(options?: Parameters<typeof streamTraceSpans>[3]): Promise<{ spans: TSpanDto[]; queries: number }> {
  const query = vi.spyOn(client, "query");
  try {
    const spans: TSpanDto[] = [];
    for await (const span of streamTraceSpans(client, PROJECT, TRACE, options)) spans.push(span);
    return { spans, queries: query.mock.calls.length };
  } finally {
    query.mockRestore();
  }
}

describe("streamTraceSpans", () => {
  it("knows the embedded engine, which hands over whole results", () => {
    expect(isEmbeddedClient(client)).toBe(true);
  });

  it("reads a long trace in pages, every span once, in order, with its payload", async () => {
    const { spans, queries } = await read({ pageChars: 100_000 });
    expect(spans.map((span) => span.spanId)).toEqual(expectedOrder());
    // ~2.5 MB of output in pages of ~100 KB: the first page is 200 spans, the rest sized from it.
    expect(queries).toBeGreaterThan(10);
    const some = spans.find((span) => span.spanId === spanIdOf(321));
    expect(some?.output).toBe(`321 ${"x".repeat((321 * 37) % 5_000)}`);
    expect(some?.name).toBe("step 321");
  });

  it("reads the same spans in one query, and from the embedded engine by default in few pages", async () => {
    const single = await read({ pageChars: null });
    expect(single.queries).toBe(1);
    expect(single.spans.map((span) => span.spanId)).toEqual(expectedOrder());
    const byDefault = await read();
    expect(byDefault.spans.map((span) => span.spanId)).toEqual(expectedOrder());
    // A first page of 200 spans, then the rest at once: 2.5 MB is under a page's 32 MB.
    expect(byDefault.queries).toBe(2);
  });

  it("ends on a page that comes out exactly full", async () => {
    // Pages of the smallest size (50 spans) divide 1,000 spans evenly: the last query finds nothing.
    const { spans, queries } = await read({ pageChars: 1 });
    expect(spans).toHaveLength(SPANS);
    expect(queries).toBe(1 + (SPANS - 200) / 50 + 1);
  });

  it("stops reading when the reader stops", async () => {
    const query = vi.spyOn(client, "query");
    try {
      const first: string[] = [];
      for await (const span of streamTraceSpans(client, PROJECT, TRACE, { pageChars: 1 })) {
        first.push(span.spanId);
        if (first.length === 250) break;
      }
      expect(first).toEqual(expectedOrder().slice(0, 250));
      expect(query.mock.calls.length).toBe(2);
    } finally {
      query.mockRestore();
    }
  });

  it("finds nothing for a trace of another project", async () => {
    const spans: TSpanDto[] = [];
    for await (const span of streamTraceSpans(client, "proj-other", TRACE, { pageChars: 1 })) spans.push(span);
    expect(spans.map((span) => span.spanId)).toEqual([spanIdOf(5_000), spanIdOf(5_001)]);
    for await (const span of streamTraceSpans(client, "proj-none", TRACE)) spans.push(span);
    expect(spans).toHaveLength(2);
  });
});
