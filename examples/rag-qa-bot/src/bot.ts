import { getRequestContext, type StepSpan, step, type TScoresClient, withRequestContext } from "@spanlens/sdk";
import type OpenAI from "openai";
import { chunkDocument, type TChunk } from "./chunking.js";
import { LEAVE_BALANCES, POLICY_DOCUMENTS } from "./policies.js";
import { ANSWER_PROMPT, renderContext, renderPrompt } from "./prompt.js";
import { routeQuestion, type TRoute } from "./router.js";
import { cosineSimilarity, tokenize } from "./text.js";

export interface TRagBotOptions {
  /** An `openai` client, already wrapped with `wrapOpenAI` so its calls are traced. */
  openai: OpenAI;
  chatModel: string;
  embeddingModel: string;
  topK?: number;
  /** Records the `confidence` score per answer when given. */
  scores?: TScoresClient;
  /** Told when a score could not be recorded (the answer still stands). */
  onWarning?: (message: string) => void;
}

export interface TAskOptions {
  userId: string;
  sessionId: string;
  /** Adds latency to the rerank step, to show what a slow step looks like in a trace. */
  rerankDelayMs?: number;
}

export interface TRetrievedChunk {
  chunk: TChunk;
  score: number;
}

export interface TAnswer {
  traceId: string;
  question: string;
  answer: string;
  /** Top reranked score, 0–1: how well the best chunk matched the question. */
  confidence: number;
  route: TRoute;
  documents: TRetrievedChunk[];
  error?: Error;
}

export class EmployeeRecordNotFoundError extends Error {
  override name = "EmployeeRecordNotFoundError";
}

interface TIndexedChunk {
  chunk: TChunk;
  vector: number[];
}

/** Below this top score an answer is marked low-confidence. */
export const LOW_CONFIDENCE = 0.3;

/** A policy Q&A bot: route, embed, retrieve (cosine), rerank, prompt, generate; every step traced. */
export class RagBot {
  readonly #options: Required<Pick<TRagBotOptions, "topK">> & TRagBotOptions;
  #index: TIndexedChunk[] = [];

  constructor(options: TRagBotOptions) {
    this.#options = { topK: 4, ...options };
  }

  get chunkCount(): number {
    return this.#index.length;
  }

  /** Chunks and embeds the bundled policies (one traced `rag.index` step). */
  async index(): Promise<void> {
    const chunks = POLICY_DOCUMENTS.flatMap((document) => chunkDocument(document));
    this.#index = await step("rag.index", { kind: "chain", captureOutput: false }, async (span) => {
      const response = await this.#options.openai.embeddings.create({
        model: this.#options.embeddingModel,
        input: chunks.map((chunk) => chunk.content),
      });
      span.setOutput({ documents: POLICY_DOCUMENTS.length, chunks: chunks.length });
      return chunks.map((chunk, index) => ({ chunk, vector: response.data[index]?.embedding ?? [] }));
    });
  }

  /** Answers one question in its own trace; failures are recorded on the trace and returned. */
  async ask(question: string, options: TAskOptions): Promise<TAnswer> {
    const route = routeQuestion(question);
    const tags = [`domain:${route.domain}`, `intent:${route.intent}`];
    return withRequestContext({ userId: options.userId, sessionId: options.sessionId, tags }, async () => {
      let traceId = "";
      try {
        const result = await step(
          "rag.answer",
          { kind: "chain", input: question, captureOutput: false },
          async (root) => {
            traceId = root.traceId;
            root.setAttributes({ "rag.route.domain": route.domain, "rag.route.intent": route.intent });
            const answer = await this.#answer(question, route, options);
            root.setOutput(answer.answer);
            return answer;
          },
        );
        await this.#recordConfidence(traceId, result.confidence);
        return { traceId, question, route, ...result };
      } catch (error) {
        const failure = error instanceof Error ? error : new Error(String(error));
        return {
          traceId,
          question,
          route,
          answer: `Sorry, something went wrong: ${failure.message}`,
          confidence: 0,
          documents: [],
          error: failure,
        };
      }
    });
  }

  async #answer(question: string, route: TRoute, options: TAskOptions) {
    if (route.intent === "leave_balance") await this.#leaveBalance(question);
    const queryVector = await step(
      "rag.embed_query",
      { kind: "embedding", input: question, captureOutput: false },
      async () => {
        const response = await this.#options.openai.embeddings.create({
          model: this.#options.embeddingModel,
          input: question,
        });
        return response.data[0]?.embedding ?? [];
      },
    );
    const retrieved = await step("rag.retrieve", { captureOutput: false }, async (span) => {
      const documents = this.#search(queryVector);
      span.setRetrieval({ query: question, documents: documents.map(toSpanDocument) });
      return documents;
    });
    const reranked = await step("rag.rerank", { captureOutput: false }, async (span) => {
      if (options.rerankDelayMs) await new Promise((resolve) => setTimeout(resolve, options.rerankDelayMs));
      const documents = rerank(question, retrieved);
      span.setRerank({
        query: question,
        model: "keyword-overlap-v1",
        topK: documents.length,
        inputDocuments: retrieved.map(toSpanDocument),
        outputDocuments: documents.map(toSpanDocument),
      });
      return documents;
    });
    const answer = await step("llm.generate", { captureOutput: false }, (span) =>
      this.#generate(span, question, reranked),
    );
    return { answer, confidence: round(reranked[0]?.score ?? 0), documents: reranked };
  }

  #search(queryVector: readonly number[]): TRetrievedChunk[] {
    return this.#index
      .map(({ chunk, vector }) => ({ chunk, score: round(cosineSimilarity(queryVector, vector)) }))
      .sort((a, b) => b.score - a.score)
      .slice(0, this.#options.topK);
  }

  async #generate(span: StepSpan, question: string, documents: readonly TRetrievedChunk[]): Promise<string> {
    const context = renderContext(documents.map((document) => document.chunk));
    span.setPrompt({
      name: ANSWER_PROMPT.name,
      version: ANSWER_PROMPT.version,
      template: ANSWER_PROMPT.template,
      variables: { context, question },
    });
    const completion = await this.#options.openai.chat.completions.create({
      model: this.#options.chatModel,
      temperature: 0,
      max_tokens: 300,
      messages: [
        { role: "system", content: ANSWER_PROMPT.system },
        { role: "user", content: renderPrompt({ context, question }) },
      ],
    });
    const answer = completion.choices[0]?.message.content?.trim() ?? "";
    span.setOutput(answer);
    return answer;
  }

  /** A tool call into the (fictional) HR system; users without a record make it fail. */
  async #leaveBalance(question: string): Promise<void> {
    const { userId = "anonymous" } = getRequestContext();
    await step("tool.leave_balance", { kind: "tool", captureOutput: false }, async (span) => {
      span.setToolCall({ name: "hr.leave_balance", arguments: { userId } });
      const balance = LEAVE_BALANCES[userId];
      if (!balance) {
        const error = new EmployeeRecordNotFoundError(
          `No HR record for user "${userId}"; cannot compute a leave balance`,
        );
        span.recordError(error, { userId, question, tool: "hr.leave_balance", hrSystem: "northwind-hris" });
        throw error;
      }
      span.setToolCall({
        name: "hr.leave_balance",
        result: { remaining: balance.entitled - balance.used, ...balance },
      });
    });
  }

  async #recordConfidence(traceId: string, confidence: number): Promise<void> {
    if (!this.#options.scores) return;
    try {
      await this.#options.scores.numeric("confidence", confidence, {
        traceId,
        comment: confidence < LOW_CONFIDENCE ? "low retrieval score" : undefined,
        metadata: { threshold: LOW_CONFIDENCE },
      });
    } catch (error) {
      this.#options.onWarning?.(
        `could not record the confidence score: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
}

/** Boosts chunks sharing more distinct words with the question; keeps cosine as the base. */
function rerank(question: string, documents: readonly TRetrievedChunk[]): TRetrievedChunk[] {
  const questionTokens = new Set(tokenize(question));
  return documents
    .map(({ chunk, score }) => {
      const overlap = new Set(tokenize(chunk.content).filter((token) => questionTokens.has(token))).size;
      return { chunk, score: round(Math.min(1, score + 0.02 * overlap)) };
    })
    .sort((a, b) => b.score - a.score);
}

function toSpanDocument({ chunk, score }: TRetrievedChunk) {
  return {
    id: chunk.id,
    content: chunk.content,
    score,
    metadata: {
      title: chunk.metadata.title,
      domain: chunk.metadata.domain,
      version: chunk.metadata.version,
      updated: chunk.metadata.updated,
      isCurrent: chunk.metadata.isCurrent,
    },
  };
}

const round = (value: number) => Math.round(value * 1000) / 1000;
