import { SpanKind, SpanStatusCode } from "@opentelemetry/api";
import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  FAKE_EMBEDDING,
  FAKE_REPLY,
  FAKE_TOOL_CALL,
  FAKE_USAGE,
  startFakeOpenAi,
  type TFakeOpenAi,
} from "../../test/fake-openai-server.js";
import { jsonAttribute, spanNamed, startInMemoryTracing } from "../../test/in-memory.js";
import { step } from "../step.js";
import { wrapOpenAI } from "./index.js";

let fake: TFakeOpenAi;
let tracing: ReturnType<typeof startInMemoryTracing>;
let client: OpenAI;

beforeAll(async () => {
  fake = await startFakeOpenAi();
  tracing = startInMemoryTracing();
  client = wrapOpenAI(new OpenAI({ apiKey: "sk-fake", baseURL: fake.baseUrl, maxRetries: 0 }));
});

afterAll(async () => {
  await tracing.stop();
  await fake.close();
});

beforeEach(() => tracing.exporter.reset());

const messages = [
  { role: "system" as const, content: "Answer from the policy." },
  { role: "user" as const, content: "How many vacation days?" },
];

describe("wrapOpenAI chat completions", () => {
  it("records a plain completion as a GenAI chat span under the active step", async () => {
    const completion = await step("llm.generate", () =>
      client.chat.completions.create({ model: "gpt-4o-mini", messages, temperature: 0.2, max_tokens: 100 }),
    );
    expect(completion.choices[0]?.message.content).toBe(FAKE_REPLY);

    const spans = await tracing.finishedSpans();
    const chat = spanNamed(spans, "chat gpt-4o-mini");
    expect(chat.parentSpanContext?.spanId).toBe(spanNamed(spans, "llm.generate").spanContext().spanId);
    expect(chat.kind).toBe(SpanKind.CLIENT);
    expect(chat.attributes).toMatchObject({
      "gen_ai.operation.name": "chat",
      "gen_ai.provider.name": "openai",
      "gen_ai.request.model": "gpt-4o-mini",
      "gen_ai.response.model": "gpt-4o-mini-2024-07-18",
      "gen_ai.response.id": "chatcmpl-fake",
      "gen_ai.request.temperature": 0.2,
      "gen_ai.request.max_tokens": 100,
      "gen_ai.usage.input_tokens": FAKE_USAGE.prompt_tokens,
      "gen_ai.usage.output_tokens": FAKE_USAGE.completion_tokens,
      "gen_ai.response.finish_reasons": ["stop"],
    });
    expect(jsonAttribute(chat, "gen_ai.input.messages")).toEqual([
      { role: "system", parts: [{ type: "text", content: "Answer from the policy." }] },
      { role: "user", parts: [{ type: "text", content: "How many vacation days?" }] },
    ]);
    expect(jsonAttribute(chat, "gen_ai.output.messages")).toEqual([
      { role: "assistant", parts: [{ type: "text", content: FAKE_REPLY }], finish_reason: "stop" },
    ]);
    // Raw request and response are kept verbatim.
    expect(jsonAttribute(chat, "input.value")).toMatchObject({ model: "gpt-4o-mini", temperature: 0.2 });
    expect(jsonAttribute(chat, "output.value")).toMatchObject({ id: "chatcmpl-fake", usage: FAKE_USAGE });
  });

  it("assembles a streamed completion and its usage when the consumer finishes", async () => {
    const stream = await client.chat.completions.create({
      model: "gpt-4o-mini",
      messages,
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = "";
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
    expect(text).toBe(FAKE_REPLY);

    const chat = spanNamed(await tracing.finishedSpans(), "chat gpt-4o-mini");
    expect(chat.attributes["gen_ai.usage.output_tokens"]).toBe(FAKE_USAGE.completion_tokens);
    expect(jsonAttribute(chat, "gen_ai.output.messages")).toEqual([
      { role: "assistant", parts: [{ type: "text", content: FAKE_REPLY }], finish_reason: "stop" },
    ]);
    expect(chat.events.map((event) => event.name)).toContain("first_chunk");
  });

  it("records tool calls from plain and streamed responses", async () => {
    const tools = [
      {
        type: "function" as const,
        function: {
          name: FAKE_TOOL_CALL.name,
          parameters: { type: "object", properties: { topic: { type: "string" } } },
        },
      },
    ];
    await client.chat.completions.create({ model: "gpt-4o-mini", messages, tools });
    const stream = await client.chat.completions.create({ model: "gpt-4o-mini", messages, tools, stream: true });
    for await (const _chunk of stream) {
      // Draining the stream is what ends the span.
    }
    const spans = (await tracing.finishedSpans()).filter((span) => span.name === "chat gpt-4o-mini");
    expect(spans).toHaveLength(2);
    for (const span of spans) {
      expect(jsonAttribute(span, "gen_ai.output.messages")).toEqual([
        {
          role: "assistant",
          parts: [
            {
              type: "tool_call",
              id: FAKE_TOOL_CALL.id,
              name: FAKE_TOOL_CALL.name,
              arguments: FAKE_TOOL_CALL.arguments,
            },
          ],
          finish_reason: "tool_calls",
        },
      ]);
      expect(jsonAttribute(span, "gen_ai.tool.definitions")).toEqual(tools);
    }
  });

  it("marks a failed call as an error and rethrows the client's error", async () => {
    await expect(client.chat.completions.create({ model: "broken-model", messages })).rejects.toThrow(/does not exist/);
    const chat = spanNamed(await tracing.finishedSpans(), "chat broken-model");
    expect(chat.status.code).toBe(SpanStatusCode.ERROR);
    expect(chat.events.find((event) => event.name === "exception")?.attributes?.["exception.message"]).toMatch(
      /does not exist/,
    );
  });

  it("keeps the client's withResponse() working", async () => {
    const { data, response } = await client.chat.completions.create({ model: "gpt-4o-mini", messages }).withResponse();
    expect(response.status).toBe(200);
    expect(data.choices[0]?.message.content).toBe(FAKE_REPLY);
  });
});

describe("wrapOpenAI responses and embeddings", () => {
  it("records a Responses API call with instructions, output and cached tokens", async () => {
    const response = await client.responses.create({ model: "gpt-4.1", instructions: "Be brief.", input: "Vacation?" });
    expect(response.output_text).toBe(FAKE_REPLY);
    const span = spanNamed(await tracing.finishedSpans(), "chat gpt-4.1");
    expect(span.attributes).toMatchObject({
      "gen_ai.usage.input_tokens": FAKE_USAGE.prompt_tokens,
      "gen_ai.usage.cache_read.input_tokens": 8,
      "gen_ai.response.model": "gpt-4.1-2024-07-18",
    });
    expect(jsonAttribute(span, "gen_ai.system_instructions")).toEqual([{ type: "text", content: "Be brief." }]);
    expect(jsonAttribute(span, "gen_ai.input.messages")).toEqual([
      { role: "user", parts: [{ type: "text", content: "Vacation?" }] },
    ]);
    expect(jsonAttribute(span, "gen_ai.output.messages")).toEqual([
      { role: "assistant", parts: [{ type: "text", content: FAKE_REPLY }], finish_reason: "stop" },
    ]);
  });

  it("records a streamed Responses API call from its completed event", async () => {
    const stream = await client.responses.create({ model: "gpt-4.1", input: "Vacation?", stream: true });
    let text = "";
    for await (const event of stream) if (event.type === "response.output_text.delta") text += event.delta;
    expect(text).toBe(FAKE_REPLY);
    const span = spanNamed(await tracing.finishedSpans(), "chat gpt-4.1");
    expect(span.attributes["gen_ai.usage.output_tokens"]).toBe(FAKE_USAGE.completion_tokens);
    expect(jsonAttribute(span, "output.value")).toMatchObject({ id: "resp_fake", status: "completed" });
  });

  it("records embeddings with model, input count, dimensions and usage", async () => {
    const result = await client.embeddings.create({ model: "text-embedding-3-small", input: ["a", "b"] });
    expect(result.data[0]?.embedding).toEqual(FAKE_EMBEDDING);
    const span = spanNamed(await tracing.finishedSpans(), "embeddings text-embedding-3-small");
    expect(span.attributes).toMatchObject({
      "gen_ai.operation.name": "embeddings",
      "gen_ai.embeddings.input.count": 2,
      "gen_ai.embeddings.dimension.count": FAKE_EMBEDDING.length,
      "gen_ai.usage.input_tokens": 8,
    });
  });
});
