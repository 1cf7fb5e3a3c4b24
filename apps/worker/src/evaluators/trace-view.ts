import type { TSpanDto } from "@spanlens/clickhouse";

/** What evaluators read from a trace: its identity, the answer, the question, the context and the numbers. */
export interface TEvaluationTrace {
  traceId: string;
  name: string;
  tags: string[];
  environment: string | null;
  userId: string | null;
  input: string;
  output: string;
  /** Retrieved document contents, in retrieval order. */
  context: string[];
  metadata: Record<string, string>;
  durationMs: number;
  costUsd: number;
  /** Best score among retrieved documents; null when nothing was retrieved with a score. */
  retrievalTopScore: number | null;
}

function messageText(messages: unknown[]): string {
  const texts: string[] = [];
  for (const message of messages) {
    const parts = (message as { parts?: { type?: string; content?: unknown }[] }).parts ?? [];
    for (const part of parts) if (part.type === "text" && typeof part.content === "string") texts.push(part.content);
  }
  return texts.join("\n");
}

/**
 * Reduces stored spans to the evaluation view. Input and output come from the root span
 * when it carries them (that is what the user asked and got), else from the first and
 * last generations; trace-level fields come from whichever span set them.
 */
export function toEvaluationTrace(
  traceId: string,
  traceName: string | null,
  spans: readonly TSpanDto[],
): TEvaluationTrace {
  const root = spans.find((span) => span.parentSpanId === null) ?? spans[0];
  const generations = spans.filter((span) => span.kind === "generation");
  const firstGeneration = generations[0];
  const lastGeneration = generations.at(-1);
  const lastUserMessage = firstGeneration
    ? messageText(
        firstGeneration.inputMessages.filter((message) => (message as { role?: string }).role === "user").slice(-1),
      )
    : "";
  const input = root?.input ?? (lastUserMessage || firstGeneration?.input) ?? "";
  const output =
    root?.output ?? (lastGeneration ? messageText(lastGeneration.outputMessages) || lastGeneration.output : null) ?? "";
  const documents = spans.flatMap((span) => span.retrievedDocuments);
  const scores = documents.map((document) => document.score).filter((score): score is number => score !== null);
  const start = Math.min(...spans.map((span) => Date.parse(span.startTime)));
  const end = Math.max(...spans.map((span) => Date.parse(span.endTime)));
  const metadata: Record<string, string> = {};
  for (const span of spans) Object.assign(metadata, span.metadata);
  const firstSet = <T>(pick: (span: TSpanDto) => T | null): T | null => {
    for (const span of spans) {
      const value = pick(span);
      if (value !== null) return value;
    }
    return null;
  };
  return {
    traceId,
    name: traceName ?? root?.name ?? "",
    tags: [...new Set(spans.flatMap((span) => span.tags))],
    environment: firstSet((span) => span.environment),
    userId: firstSet((span) => span.userId),
    input,
    output,
    context: documents.flatMap((document) => (document.content ? [document.content] : [])),
    metadata,
    durationMs: spans.length > 0 ? end - start : 0,
    costUsd: spans.reduce((sum, span) => sum + (span.usage.isAggregate ? 0 : span.cost.total), 0),
    retrievalTopScore: scores.length > 0 ? Math.max(...scores) : null,
  };
}
