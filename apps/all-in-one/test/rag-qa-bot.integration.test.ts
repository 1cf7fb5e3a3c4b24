import { getTrace } from "@spanlens/clickhouse";
import { flush, init, shutdown } from "@spanlens/sdk";
import {
  connectModel,
  LOCAL_CHAT_MODEL,
  LOCAL_EMBEDDING_MODEL,
  RagBot,
  type TAnswer,
  type TModelConnection,
} from "rag-qa-bot";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getClickHouse, startPipeline, type TPipeline, waitFor } from "./pipeline-harness.js";

let pipeline: TPipeline;
let model: TModelConnection;
let bot: RagBot;

beforeAll(async () => {
  pipeline = await startPipeline();
  // The bundled offline model, served over HTTP to the real `openai` client.
  delete process.env.OPENAI_API_KEY;
  init({
    baseUrl: pipeline.baseUrl,
    publicKey: pipeline.publicKey,
    secretKey: pipeline.secretKey,
    serviceName: "rag-qa-bot",
    environment: "test",
    release: "2026.11.24",
    flushOnExit: false,
    scheduledDelayMillis: 50,
  });
  model = await connectModel();
  bot = new RagBot(model);
  await bot.index();
});

afterAll(async () => {
  await shutdown();
  await model.close();
  await pipeline.stop();
});

type TStoredTrace = NonNullable<Awaited<ReturnType<typeof getTrace>>>;

async function storedTrace(answer: TAnswer, expectedSpans: number): Promise<TStoredTrace> {
  await flush();
  const stored = await waitFor(
    () => getTrace(getClickHouse(), pipeline.projectId, answer.traceId),
    (value) => (value?.spans.length ?? 0) === expectedSpans,
  );
  if (!stored) throw new Error("trace not stored");
  return stored;
}

function spanNamed(trace: TStoredTrace, name: string) {
  const span = trace.spans.find((candidate) => candidate.name === name);
  if (!span) throw new Error(`no span ${name} in ${trace.spans.map((candidate) => candidate.name).join(", ")}`);
  return span;
}

describe("the RAG Q&A bot traced through the SDK and the OTLP pipeline", () => {
  it("stores every step with retrieved chunks, the prompt, the raw response, the answer and usage", async () => {
    const answer = await bot.ask("How many vacation days do full-time employees get per year?", {
      userId: "alice",
      sessionId: "session-alice-1",
    });
    expect(answer.error).toBeUndefined();
    expect(answer.answer).toContain("25 vacation days");

    const trace = await storedTrace(answer, 7);
    expect(trace.spans.map((span) => span.name).sort()).toEqual(
      [
        "rag.answer",
        "rag.embed_query",
        `embeddings ${LOCAL_EMBEDDING_MODEL}`,
        "rag.retrieve",
        "rag.rerank",
        "llm.generate",
        `chat ${LOCAL_CHAT_MODEL}`,
      ].sort(),
    );
    const root = spanNamed(trace, "rag.answer");
    expect(root).toMatchObject({ parentSpanId: null, kind: "chain", output: answer.answer, statusCode: "unset" });
    expect(root.input).toBe(answer.question);
    for (const name of ["rag.embed_query", "rag.retrieve", "rag.rerank", "llm.generate"])
      expect(spanNamed(trace, name).parentSpanId).toBe(root.spanId);

    // Retrieval: the query and the chunks with their cosine scores, best first.
    const retrieve = spanNamed(trace, "rag.retrieve");
    expect(retrieve.kind).toBe("retrieval");
    expect(retrieve.retrievalQuery).toBe(answer.question);
    expect(retrieve.retrievedDocuments).toHaveLength(4);
    expect(retrieve.retrievedDocuments[0]).toMatchObject({
      id: "hr-vacation#0",
      rank: 1,
      metadata: { title: "Vacation policy", domain: "hr", isCurrent: "true" },
    });
    expect(retrieve.retrievedDocuments[0]?.content).toContain("25 vacation days per calendar year");
    const scores = retrieve.retrievedDocuments.map((document) => document.score ?? -1);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect(scores[0]).toBeGreaterThan(0.5);

    const rerank = spanNamed(trace, "rag.rerank");
    expect(rerank.kind).toBe("rerank");
    expect(rerank.rerankedDocuments.map((document) => [document.id, document.score])).toEqual(
      answer.documents.map((document) => [document.chunk.id, document.score]),
    );

    // The prompt template with its version and variables, and the exact messages sent.
    const generate = spanNamed(trace, "llm.generate");
    expect(generate.prompt).toMatchObject({ name: "policy-answer", version: "3" });
    expect(generate.prompt?.template).toContain("Question: {{question}}");
    expect(generate.prompt?.variables.question).toBe(answer.question);
    const chat = spanNamed(trace, `chat ${LOCAL_CHAT_MODEL}`);
    expect(chat.parentSpanId).toBe(generate.spanId);
    expect(chat).toMatchObject({ kind: "generation", provider: "northwind-local", model: LOCAL_CHAT_MODEL });
    expect(chat.modelParameters).toMatchObject({ temperature: 0, max_tokens: 300 });
    const [system, user] = chat.inputMessages as { role: string; content: string }[];
    expect(system?.role).toBe("system");
    expect(user?.role).toBe("user");
    expect(user?.content).toContain(`[1] Vacation policy (hr-vacation#0, updated 2024-01-10)`);
    expect(user?.content).toContain(`Question: ${answer.question}`);
    expect(generate.prompt?.variables.context).toBe(
      user?.content.split("\n\nQuestion:")[0]?.replace(/^Context:\n/, ""),
    );
    expect(chat.outputMessages).toMatchObject([{ role: "assistant", content: answer.answer, finishReason: "stop" }]);
    // The raw response as the endpoint sent it, and its token counts.
    const raw = JSON.parse(chat.output ?? "null") as {
      model: string;
      choices: { message: { content: string } }[];
      usage: { prompt_tokens: number; completion_tokens: number };
    };
    expect(raw.choices[0]?.message.content).toBe(answer.answer);
    expect(raw.usage.prompt_tokens).toBeGreaterThan(50);
    expect(chat.usage).toMatchObject({
      inputTokens: raw.usage.prompt_tokens,
      outputTokens: raw.usage.completion_tokens,
      totalTokens: raw.usage.prompt_tokens + raw.usage.completion_tokens,
    });
    expect(generate.output).toBe(answer.answer);

    const embeddings = spanNamed(trace, `embeddings ${LOCAL_EMBEDDING_MODEL}`);
    expect(embeddings).toMatchObject({ kind: "embedding", model: LOCAL_EMBEDDING_MODEL });
    expect(embeddings.usage.inputTokens).toBeGreaterThan(0);

    // Latency per step, and the request context from baggage on every span.
    for (const span of trace.spans) {
      expect(Date.parse(span.endTime)).toBeGreaterThanOrEqual(Date.parse(span.startTime));
      expect(span.durationMs).toBeGreaterThan(0);
      expect(span).toMatchObject({
        userId: "alice",
        sessionId: "session-alice-1",
        serviceName: "rag-qa-bot",
        environment: "test",
        release: "2026.11.24",
      });
      expect(span.tags).toEqual(["domain:hr", "intent:policy_lookup"]);
    }
    expect(root.durationMs).toBeGreaterThanOrEqual(Math.max(chat.durationMs, retrieve.durationMs));
  });

  it("stores the failing tool call's exception with its context and marks the trace failed", async () => {
    const answer = await bot.ask("How many vacation days do I have left this year?", {
      userId: "frank",
      sessionId: "session-frank-1",
    });
    expect(answer.error?.name).toBe("EmployeeRecordNotFoundError");

    const trace = await storedTrace(answer, 2);
    const root = spanNamed(trace, "rag.answer");
    const tool = spanNamed(trace, "tool.leave_balance");
    expect(tool).toMatchObject({ kind: "tool", parentSpanId: root.spanId, statusCode: "error" });
    expect(tool.toolCalls).toMatchObject([{ name: "hr.leave_balance", arguments: '{"userId":"frank"}' }]);
    expect(tool.error).toMatchObject({
      type: "EmployeeRecordNotFoundError",
      message: 'No HR record for user "frank"; cannot compute a leave balance',
    });
    expect(tool.error?.stacktrace).toContain("EmployeeRecordNotFoundError");
    const exception = (tool.events as { name: string; attributes: string }[]).find(
      (event) => event.name === "exception",
    );
    expect(JSON.parse(exception?.attributes ?? "{}")).toMatchObject({
      "spanlens.error.context.userId": "frank",
      "spanlens.error.context.question": answer.question,
      "spanlens.error.context.tool": "hr.leave_balance",
    });
    expect(root).toMatchObject({
      statusCode: "error",
      statusMessage: 'No HR record for user "frank"; cannot compute a leave balance',
      userId: "frank",
      tags: ["domain:hr", "intent:leave_balance"],
    });
    // The exception event is recorded once, on the step that threw.
    expect((root.events as { name: string }[]).filter((event) => event.name === "exception")).toHaveLength(0);
  });

  it("shows an outdated chunk winning retrieval and a slow rerank step", async () => {
    const answer = await bot.ask("How many days a week can I work from home?", {
      userId: "carol",
      sessionId: "session-carol-1",
      rerankDelayMs: 300,
    });
    const trace = await storedTrace(answer, 7);
    const [top] = spanNamed(trace, "rag.retrieve").retrievedDocuments;
    expect(top).toMatchObject({ id: "hr-remote-work-2021#0", metadata: { version: "2021", isCurrent: "false" } });
    expect(answer.answer).toContain("2 days a week");
    // A timer may fire a fraction of a millisecond early against the span clock; without
    // the delay this step takes about a millisecond.
    expect(spanNamed(trace, "rag.rerank").durationMs).toBeGreaterThan(290);
  });
});
