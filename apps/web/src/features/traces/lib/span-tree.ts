/** The fields of a span node the tree needs (the tree API's `SpanNode`). */
export interface TTreeSpan {
  spanId: string;
  parentSpanId: string | null;
  name: string;
  kind: string;
  startTime: string;
  endTime: string;
  durationMs: number;
  model: string | null;
  isError: boolean;
}

export interface TTreeRow<TSpan extends TTreeSpan> {
  span: TSpan;
  depth: number;
  hasChildren: boolean;
  /** Offset from the trace start and share of the trace's duration, both 0–1, for the waterfall. */
  offset: number;
  share: number;
}

export interface TSpanTree<TSpan extends TTreeSpan> {
  roots: TSpan[];
  childrenOf: Map<string, TSpan[]>;
  byId: Map<string, TSpan>;
  startMs: number;
  durationMs: number;
}

const byStart = (a: TTreeSpan, b: TTreeSpan) =>
  Date.parse(a.startTime) - Date.parse(b.startTime) || a.spanId.localeCompare(b.spanId);

/**
 * Indexes spans by parent. A span whose parent never arrived (dropped, still in flight)
 * is shown as a root rather than hidden.
 */
export function buildSpanTree<TSpan extends TTreeSpan>(spans: readonly TSpan[]): TSpanTree<TSpan> {
  const byId = new Map(spans.map((span) => [span.spanId, span]));
  const childrenOf = new Map<string, TSpan[]>();
  const roots: TSpan[] = [];
  for (const span of spans) {
    if (span.parentSpanId && byId.has(span.parentSpanId) && span.parentSpanId !== span.spanId) {
      const siblings = childrenOf.get(span.parentSpanId) ?? [];
      siblings.push(span);
      childrenOf.set(span.parentSpanId, siblings);
    } else {
      roots.push(span);
    }
  }
  for (const siblings of childrenOf.values()) siblings.sort(byStart);
  roots.sort(byStart);
  let startMs = Number.POSITIVE_INFINITY;
  let endMs = Number.NEGATIVE_INFINITY;
  for (const span of spans) {
    startMs = Math.min(startMs, Date.parse(span.startTime));
    endMs = Math.max(endMs, Date.parse(span.endTime));
  }
  if (!Number.isFinite(startMs)) startMs = endMs = 0;
  return { roots, childrenOf, byId, startMs, durationMs: Math.max(endMs - startMs, 0) };
}

/** The visible rows in depth-first order, skipping the children of collapsed spans. */
export function flattenSpanTree<TSpan extends TTreeSpan>(
  tree: TSpanTree<TSpan>,
  collapsed: ReadonlySet<string>,
): TTreeRow<TSpan>[] {
  const rows: TTreeRow<TSpan>[] = [];
  const total = tree.durationMs || 1;
  // An explicit stack, not recursion: agent traces nest thousands of spans deep.
  const stack: { span: TSpan; depth: number }[] = [...tree.roots].reverse().map((span) => ({ span, depth: 0 }));
  const seen = new Set<string>();
  while (stack.length > 0) {
    const { span, depth } = stack.pop() as { span: TSpan; depth: number };
    if (seen.has(span.spanId)) continue;
    seen.add(span.spanId);
    const children = tree.childrenOf.get(span.spanId) ?? [];
    rows.push({
      span,
      depth,
      hasChildren: children.length > 0,
      offset: (Date.parse(span.startTime) - tree.startMs) / total,
      share: span.durationMs / total,
    });
    if (!collapsed.has(span.spanId)) {
      for (let index = children.length - 1; index >= 0; index -= 1) {
        const child = children[index];
        if (child) stack.push({ span: child, depth: depth + 1 });
      }
    }
  }
  return rows;
}

/** The span's ancestors, nearest first; expanding them makes the span visible. */
export function ancestorsOf<TSpan extends TTreeSpan>(tree: TSpanTree<TSpan>, spanId: string): string[] {
  const ancestors: string[] = [];
  let current = tree.byId.get(spanId)?.parentSpanId ?? null;
  while (current && tree.byId.has(current) && !ancestors.includes(current)) {
    ancestors.push(current);
    current = tree.byId.get(current)?.parentSpanId ?? null;
  }
  return ancestors;
}

/** Error spans in tree order; the first is where a failing trace opens. */
export function errorSpansInOrder<TSpan extends TTreeSpan>(tree: TSpanTree<TSpan>): TSpan[] {
  return flattenSpanTree(tree, new Set()).flatMap((row) => (row.span.isError ? [row.span] : []));
}

/** Spans whose name, kind or model contains the text (case-insensitive), in tree order. */
export function searchSpans<TSpan extends TTreeSpan>(tree: TSpanTree<TSpan>, text: string): TSpan[] {
  const needle = text.trim().toLowerCase();
  if (!needle) return [];
  return flattenSpanTree(tree, new Set()).flatMap((row) =>
    [row.span.name, row.span.kind, row.span.model ?? "", row.span.spanId].some((field) =>
      field.toLowerCase().includes(needle),
    )
      ? [row.span]
      : [],
  );
}
