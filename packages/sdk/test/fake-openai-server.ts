import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";

/** What the fake model answers, so tests can assert the exact text that crossed the wire. */
export const FAKE_REPLY = "Employees get 25 vacation days per year.";
export const FAKE_USAGE = { prompt_tokens: 31, completion_tokens: 9, total_tokens: 40 };
export const FAKE_TOOL_CALL = { id: "call_lookup_1", name: "lookup_policy", arguments: '{"topic":"vacation"}' };
export const FAKE_EMBEDDING = [0.5, -0.25, 0.125, 1];

export interface TFakeOpenAi {
  /** `${origin}/v1`, the `baseURL` an OpenAI client expects. */
  baseUrl: string;
  requests: { path: string; body: Record<string, unknown> }[];
  close(): Promise<void>;
}

type TBody = Record<string, unknown> & { model?: string; stream?: boolean; tools?: unknown[] };

const servedModel = (body: TBody) => `${body.model ?? "gpt-4o-mini"}-2024-07-18`;
const words = (text: string) => text.match(/\S+\s*/g) ?? [];

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "Content-Type": "application/json" });
  res.end(JSON.stringify(body));
}

function openSse(res: ServerResponse): void {
  res.writeHead(200, { "Content-Type": "text/event-stream", "Cache-Control": "no-cache" });
}

function chat(res: ServerResponse, body: TBody): void {
  const hasTools = (body.tools?.length ?? 0) > 0;
  const includeUsage = (body.stream_options as { include_usage?: boolean } | undefined)?.include_usage === true;
  const base = { id: "chatcmpl-fake", created: 1_760_000_000, model: servedModel(body) };
  if (!body.stream) {
    const message = hasTools
      ? {
          role: "assistant",
          content: null,
          tool_calls: [
            {
              id: FAKE_TOOL_CALL.id,
              type: "function",
              function: { name: FAKE_TOOL_CALL.name, arguments: FAKE_TOOL_CALL.arguments },
            },
          ],
        }
      : { role: "assistant", content: FAKE_REPLY, refusal: null };
    sendJson(res, 200, {
      ...base,
      object: "chat.completion",
      choices: [{ index: 0, message, logprobs: null, finish_reason: hasTools ? "tool_calls" : "stop" }],
      usage: FAKE_USAGE,
    });
    return;
  }
  openSse(res);
  const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) =>
    res.write(`data: ${JSON.stringify({ ...base, object: "chat.completion.chunk", choices, ...extra })}\n\n`);
  chunk([{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null }]);
  if (hasTools) {
    // Tool calls stream as an id+name delta, then argument fragments.
    const half = Math.floor(FAKE_TOOL_CALL.arguments.length / 2);
    chunk([
      {
        index: 0,
        delta: {
          tool_calls: [
            {
              index: 0,
              id: FAKE_TOOL_CALL.id,
              type: "function",
              function: { name: FAKE_TOOL_CALL.name, arguments: "" },
            },
          ],
        },
        finish_reason: null,
      },
    ]);
    for (const piece of [FAKE_TOOL_CALL.arguments.slice(0, half), FAKE_TOOL_CALL.arguments.slice(half)])
      chunk([{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: piece } }] }, finish_reason: null }]);
    chunk([{ index: 0, delta: {}, finish_reason: "tool_calls" }]);
  } else {
    for (const piece of words(FAKE_REPLY)) chunk([{ index: 0, delta: { content: piece }, finish_reason: null }]);
    chunk([{ index: 0, delta: {}, finish_reason: "stop" }]);
  }
  if (includeUsage) chunk([], { usage: FAKE_USAGE });
  res.end("data: [DONE]\n\n");
}

function responseObject(body: TBody) {
  return {
    id: "resp_fake",
    object: "response",
    created_at: 1_760_000_000,
    status: "completed",
    model: servedModel(body),
    output: [
      {
        id: "msg_fake",
        type: "message",
        role: "assistant",
        status: "completed",
        content: [{ type: "output_text", text: FAKE_REPLY, annotations: [] }],
      },
    ],
    usage: {
      input_tokens: FAKE_USAGE.prompt_tokens,
      input_tokens_details: { cached_tokens: 8 },
      output_tokens: FAKE_USAGE.completion_tokens,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: FAKE_USAGE.total_tokens,
    },
  };
}

function responses(res: ServerResponse, body: TBody): void {
  const response = responseObject(body);
  if (!body.stream) {
    sendJson(res, 200, response);
    return;
  }
  openSse(res);
  let sequence = 0;
  const event = (type: string, data: Record<string, unknown>) =>
    res.write(`event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: sequence++, ...data })}\n\n`);
  event("response.created", { response: { ...response, status: "in_progress", output: [], usage: null } });
  for (const delta of words(FAKE_REPLY))
    event("response.output_text.delta", { item_id: "msg_fake", output_index: 0, content_index: 0, delta });
  event("response.completed", { response });
  res.end();
}

function embeddings(res: ServerResponse, body: TBody): void {
  const inputs = Array.isArray(body.input) ? body.input : [body.input];
  const encode = (values: number[]) =>
    body.encoding_format === "base64" ? Buffer.from(new Float32Array(values).buffer).toString("base64") : values;
  sendJson(res, 200, {
    object: "list",
    data: inputs.map((_input, index) => ({ object: "embedding", index, embedding: encode(FAKE_EMBEDDING) })),
    model: body.model,
    usage: { prompt_tokens: 4 * inputs.length, total_tokens: 4 * inputs.length },
  });
}

async function readJson(req: IncomingMessage): Promise<TBody> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString("utf8")) as TBody;
}

/** A local OpenAI-compatible server speaking the real wire format (JSON and SSE). */
export async function startFakeOpenAi(): Promise<TFakeOpenAi> {
  const requests: TFakeOpenAi["requests"] = [];
  const server: Server = createServer((req, res) => {
    void (async () => {
      const path = new URL(req.url ?? "/", "http://localhost").pathname;
      const body = await readJson(req);
      requests.push({ path, body });
      if (body.model === "broken-model")
        return sendJson(res, 400, {
          error: { message: "The model `broken-model` does not exist", type: "invalid_request_error" },
        });
      if (path === "/v1/chat/completions") return chat(res, body);
      if (path === "/v1/responses") return responses(res, body);
      if (path === "/v1/embeddings") return embeddings(res, body);
      sendJson(res, 404, { error: { message: `Unknown route ${path}` } });
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (!address || typeof address === "string") throw new Error("fake OpenAI server did not bind a port");
  return {
    baseUrl: `http://127.0.0.1:${address.port}/v1`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
