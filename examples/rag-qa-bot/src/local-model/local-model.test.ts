import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chunkDocument } from "../chunking.js";
import { POLICY_DOCUMENTS } from "../policies.js";
import { renderContext, renderPrompt } from "../prompt.js";
import { routeQuestion } from "../router.js";
import { cosineSimilarity, EMBEDDING_DIMENSIONS, hashEmbedding } from "../text.js";
import { answerFromPrompt, NOT_FOUND_ANSWER } from "./answerer.js";
import { LOCAL_CHAT_MODEL, LOCAL_EMBEDDING_MODEL, startLocalModelServer, type TLocalModelServer } from "./server.js";

const chunksOf = (id: string) => {
  const document = POLICY_DOCUMENTS.find((candidate) => candidate.id === id);
  if (!document) throw new Error(`no document ${id}`);
  return chunkDocument(document);
};

describe("offline model pieces", () => {
  it("chunks documents by paragraph with stable ids and metadata", () => {
    const chunks = chunksOf("hr-vacation");
    expect(chunks.map((chunk) => chunk.id)).toEqual(["hr-vacation#0", "hr-vacation#1", "hr-vacation#2"]);
    expect(chunks[0]?.metadata).toMatchObject({ title: "Vacation policy", domain: "hr", isCurrent: true });
    expect(chunksOf("hr-remote-work-2021")[0]?.metadata.isCurrent).toBe(false);
  });

  it("embeds deterministically, and related text scores higher than unrelated text", () => {
    const question = hashEmbedding("How many vacation days do I get?");
    expect(question).toHaveLength(EMBEDDING_DIMENSIONS);
    expect(hashEmbedding("How many vacation days do I get?")).toEqual(question);
    const related = cosineSimilarity(question, hashEmbedding("Employees receive 25 vacation days per year."));
    const unrelated = cosineSimilarity(question, hashEmbedding("Register visitors at reception in advance."));
    expect(related).toBeGreaterThan(unrelated + 0.3);
  });

  it("answers extractively from the prompt's context and cites the document", () => {
    const prompt = renderPrompt({
      context: renderContext([...chunksOf("it-vpn"), ...chunksOf("hr-vacation")]),
      question: "How do I reset my VPN token?",
    });
    expect(answerFromPrompt(prompt)).toBe(
      "If your VPN token stops working, reset it in the IT portal under Security, then Reset token. (Source: VPN access)",
    );
    expect(
      answerFromPrompt(renderPrompt({ context: renderContext(chunksOf("sec-visitors")), question: "Salary?" })),
    ).toBe(NOT_FOUND_ANSWER);
  });

  it("routes questions to a domain and an intent", () => {
    expect(routeQuestion("How many vacation days do I have left?")).toEqual({ domain: "hr", intent: "leave_balance" });
    expect(routeQuestion("How do I report a phishing email?")).toEqual({ domain: "security", intent: "policy_lookup" });
    expect(routeQuestion("What is for lunch?")).toEqual({ domain: "general", intent: "policy_lookup" });
  });
});

describe("local OpenAI-compatible server", () => {
  let server: TLocalModelServer;
  let client: OpenAI;
  beforeAll(async () => {
    server = await startLocalModelServer();
    client = new OpenAI({ apiKey: "local", baseURL: server.baseUrl, maxRetries: 0 });
  });
  afterAll(() => server.close());

  const prompt = renderPrompt({
    context: renderContext(chunksOf("hr-vacation")),
    question: "How many vacation days do full-time employees receive per year?",
  });

  it("serves chat completions, plain and streamed, to the official client", async () => {
    const completion = await client.chat.completions.create({
      model: LOCAL_CHAT_MODEL,
      messages: [{ role: "user", content: prompt }],
    });
    const answer = completion.choices[0]?.message.content ?? "";
    expect(answer).toContain("25 vacation days");
    expect(completion.usage?.completion_tokens).toBe(answer.split(/\s+/).length);

    const stream = await client.chat.completions.create({
      model: LOCAL_CHAT_MODEL,
      messages: [{ role: "user", content: prompt }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let streamed = "";
    for await (const chunk of stream) streamed += chunk.choices[0]?.delta.content ?? "";
    expect(streamed).toBe(answer);
  });

  it("serves embeddings in the base64 encoding the client asks for by default", async () => {
    const result = await client.embeddings.create({ model: LOCAL_EMBEDDING_MODEL, input: ["vacation days"] });
    const expected = hashEmbedding("vacation days");
    const received = result.data[0]?.embedding ?? [];
    expect(received).toHaveLength(expected.length);
    for (const [index, value] of received.entries()) expect(value).toBeCloseTo(expected[index] ?? 0, 5);
  });

  it("answers a malformed request with a 400 naming the field", async () => {
    await expect(client.chat.completions.create({ model: LOCAL_CHAT_MODEL, messages: [] })).rejects.toThrow(/messages/);
  });
});
