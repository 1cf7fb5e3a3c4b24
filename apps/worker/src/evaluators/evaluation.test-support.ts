import { createHash, randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { closeClickHouse, initClickHouse, runClickHouseMigrations } from "@spanlens/clickhouse";
import { QueueName, type TOtlpIngestJob } from "@spanlens/core";
import { closePrisma, getPrisma } from "@spanlens/db";
import { closeQueues, closeRedis, deleteQueuePrefix, getQueue, getRedis, queuePrefix } from "@spanlens/queue";
import { defaultConsumers } from "../consumers.js";
import { startWorker } from "../worker.js";

/** The real worker (ingest, trace-evaluation and evaluator-run consumers) over a fresh embedded ClickHouse. */
export async function startEvaluationWorker() {
  process.env.SPANLENS_QUEUE_PREFIX = `test-${randomUUID()}`;
  process.env.WORKER_BATCH_MAX_WAIT_MS = "50";
  process.env.EVALUATION_DEBOUNCE_MS = "300";
  const dataDir = await mkdtemp(path.join(tmpdir(), "spanlens-evaluators-"));
  const client = await initClickHouse({ mode: "embedded", path: dataDir, database: "spanlens" });
  await runClickHouseMigrations(client, { database: "spanlens" });
  const org = await getPrisma().organization.create({ data: { name: `evaluators ${randomUUID()}` } });
  const worker = await startWorker(defaultConsumers());
  return {
    async createProject() {
      return getPrisma().project.create({ data: { orgId: org.id, name: "evaluators" } });
    },
    async stop() {
      await worker.close();
      await closeQueues();
      // This run's prefix is used by nothing else: its keys go with it.
      await deleteQueuePrefix(queuePrefix(), getRedis());
      await closeRedis();
      await closeClickHouse();
      await getPrisma().organization.delete({ where: { id: org.id } });
      await closePrisma();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** A stable trace id per label, so sampling outcomes are the same on every run. */
export const traceIdFor = (label: string) => createHash("sha256").update(label).digest("hex").slice(0, 32);

type TAttribute = { key: string; value: Record<string, unknown> };
const attribute = (key: string, value: string | number | string[]): TAttribute => ({
  key,
  value: Array.isArray(value)
    ? { arrayValue: { values: value.map((item) => ({ stringValue: item })) } }
    : typeof value === "number"
      ? { doubleValue: value }
      : { stringValue: value },
});

/**
 * Sends one RAG-shaped trace (root with question and answer, a retrieval span) through
 * the ingest queue as an OTLP/JSON request, exactly as the receiver enqueues it.
 */
export async function ingestTrace(
  projectId: string,
  trace: {
    traceId: string;
    tags: string[];
    question: string;
    answer: string;
    documents?: { content: string; score: number }[];
    metadata?: Record<string, string>;
  },
) {
  const now = BigInt(Date.now()) * 1_000_000n;
  const rootId = trace.traceId.slice(0, 16);
  const spans = [
    {
      traceId: trace.traceId,
      spanId: rootId,
      name: "answer_question",
      kind: 2,
      startTimeUnixNano: String(now - 900_000_000n),
      endTimeUnixNano: String(now),
      attributes: [
        attribute("tag.tags", trace.tags),
        attribute("input.value", trace.question),
        attribute("output.value", trace.answer),
        ...(trace.metadata ? [attribute("metadata", JSON.stringify(trace.metadata))] : []),
      ],
      status: { code: 1 },
    },
    {
      traceId: trace.traceId,
      spanId: trace.traceId.slice(16, 32),
      parentSpanId: rootId,
      name: "retrieve",
      kind: 1,
      startTimeUnixNano: String(now - 800_000_000n),
      endTimeUnixNano: String(now - 700_000_000n),
      attributes: [
        attribute("openinference.span.kind", "RETRIEVER"),
        ...(trace.documents ?? []).flatMap((document, index) => [
          attribute(`retrieval.documents.${index}.document.content`, document.content),
          attribute(`retrieval.documents.${index}.document.score`, document.score),
        ]),
      ],
      status: { code: 1 },
    },
  ];
  const body = {
    resourceSpans: [
      {
        resource: { attributes: [attribute("service.name", "rag-bot")] },
        scopeSpans: [{ scope: { name: "test" }, spans }],
      },
    ],
  };
  const job: TOtlpIngestJob = {
    projectId,
    requestId: randomUUID(),
    signal: "traces",
    encoding: "json",
    // The inline form earlier versions queued; the processor still reads it.
    body: Buffer.from(JSON.stringify(body)).toString("base64"),
    compression: "identity",
    receivedAt: Date.now(),
  };
  await getQueue(QueueName.OtlpIngest).add("otlp", job);
}

/** Polls until `read` returns a value that `isDone` accepts, or fails after the timeout. */
export async function waitFor<T>(
  read: () => Promise<T>,
  isDone: (value: T) => boolean,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (isDone(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`condition not met within ${timeoutMs} ms; last: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export interface TFakeJudge {
  baseUrl: string;
  requests: { authorization: string | undefined; body: Record<string, unknown> }[];
  /** What the next replies say; a status other than 200 answers an OpenAI-style error. */
  reply: { status: number; content: string };
  close(): Promise<void>;
}

/** A local OpenAI-compatible chat completions endpoint answering with a configurable verdict. */
export async function startFakeJudge(): Promise<TFakeJudge> {
  const state: TFakeJudge["reply"] = { status: 200, content: '{"score": 1, "reasoning": "ok"}' };
  const requests: TFakeJudge["requests"] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>;
      requests.push({ authorization: req.headers.authorization, body });
      res.setHeader("content-type", "application/json");
      if (req.url !== "/v1/chat/completions" || state.status !== 200) {
        res.statusCode = req.url === "/v1/chat/completions" ? state.status : 404;
        res.end(JSON.stringify({ error: { message: "Incorrect API key provided", type: "invalid_request_error" } }));
        return;
      }
      res.end(
        JSON.stringify({
          id: "chatcmpl-judge-1",
          object: "chat.completion",
          created: Math.floor(Date.now() / 1000),
          model: `${String(body.model)}-2024-07-18`,
          choices: [{ index: 0, message: { role: "assistant", content: state.content }, finish_reason: "stop" }],
          usage: { prompt_tokens: 180, completion_tokens: 24, total_tokens: 204 },
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (!address || typeof address === "string") throw new Error("fake judge did not bind a port");
  return {
    baseUrl: `http://127.0.0.1:${address.port}/v1`,
    requests,
    reply: state,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
