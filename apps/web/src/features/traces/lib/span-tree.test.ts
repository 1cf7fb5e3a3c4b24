import { describe, expect, it } from "vitest";
import {
  ancestorsOf,
  buildSpanTree,
  errorSpansInOrder,
  flattenSpanTree,
  searchSpans,
  type TTreeSpan,
} from "./span-tree";

const T0 = Date.parse("2026-11-24T10:00:00.000Z");
const span = (
  spanId: string,
  parentSpanId: string | null,
  startMs: number,
  durationMs: number,
  extra: Partial<TTreeSpan> = {},
) => ({
  spanId,
  parentSpanId,
  name: `op-${spanId}`,
  kind: "span",
  startTime: new Date(T0 + startMs).toISOString(),
  endTime: new Date(T0 + startMs + durationMs).toISOString(),
  durationMs,
  model: null,
  isError: false,
  ...extra,
});

// root ─┬─ a ── a1 (error)
//       └─ b (generation, gpt-4o, error)
// orphan (parent never arrived)
const spans = [
  span("b", "root", 600, 400, { kind: "generation", model: "gpt-4o", isError: true }),
  span("a1", "a", 150, 100, { isError: true }),
  span("root", null, 0, 1000),
  span("a", "root", 100, 400),
  span("orphan", "missing", 900, 50),
];

describe("span tree", () => {
  it("orders depth-first by start time, with waterfall offsets and shares of the trace", () => {
    const rows = flattenSpanTree(buildSpanTree(spans), new Set());
    expect(rows.map((row) => [row.span.spanId, row.depth, row.hasChildren])).toEqual([
      ["root", 0, true],
      ["a", 1, true],
      ["a1", 2, false],
      ["b", 1, false],
      ["orphan", 0, false],
    ]);
    expect(rows.find((row) => row.span.spanId === "b")).toMatchObject({ offset: 0.6, share: 0.4 });
  });

  it("hides the children of collapsed spans", () => {
    const rows = flattenSpanTree(buildSpanTree(spans), new Set(["a"]));
    expect(rows.map((row) => row.span.spanId)).toEqual(["root", "a", "b", "orphan"]);
  });

  it("finds ancestors, errors in tree order and search matches", () => {
    const tree = buildSpanTree(spans);
    expect(ancestorsOf(tree, "a1")).toEqual(["a", "root"]);
    expect(errorSpansInOrder(tree).map((s) => s.spanId)).toEqual(["a1", "b"]);
    expect(searchSpans(tree, "GPT").map((s) => s.spanId)).toEqual(["b"]);
    expect(searchSpans(tree, "op-a").map((s) => s.spanId)).toEqual(["a", "a1"]);
    expect(searchSpans(tree, "  ")).toEqual([]);
  });

  it("flattens a 10,000-deep chain without recursion", () => {
    const chain = Array.from({ length: 10_000 }, (_, index) =>
      span(`s${index}`, index === 0 ? null : `s${index - 1}`, index, 1),
    );
    const rows = flattenSpanTree(buildSpanTree(chain), new Set());
    expect(rows).toHaveLength(10_000);
    expect(rows.at(-1)?.depth).toBe(9_999);
  });
});
