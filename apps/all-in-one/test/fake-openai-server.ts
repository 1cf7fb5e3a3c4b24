import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";

/** What the fake model answers, so tests can assert the exact text that crossed the wire. */
export const FAKE_REPLY = "The capital of France is Paris.";
export const FAKE_USAGE = { prompt_tokens: 23, completion_tokens: 7, total_tokens: 30 };
export const FAKE_TOOL_CALL = { id: "call_weather_1", name: "get_weather", arguments: '{"city":"Paris","unit":"c"}' };
export const FAKE_EMBEDDING = [0.25, -0.5, 0.125];

export interface TFakeOpenAi {
  /** `${origin}/v1`, the `baseURL` an OpenAI-compatible client expects. */
  baseUrl: string;
  /** Request bodies received, in order, with their paths. */
  requests: { path: string; body: Record<string, unknown> }[];
  close(): Promise<void>;
}

interface TChatRequest {
  model?: string;
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  tools?: unknown[];
}

const created = () => Math.floor(Date.now() / 1000);
/** OpenAI answers with the dated snapshot of the model alias it was asked for. */
const servedModel = (request: TChatRequest) => `${request.model ?? "gpt-4o-mini"}-2024-07-18`;

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "Content-Type": "application/json" });
  res.end(JSON.stringify(body));
}

function chatCompletion(request: TChatRequest) {
  const message = request.tools?.length
    ? {
        role: "assistant",
        content: null,
        refusal: null,
        tool_calls: [
          {
            id: FAKE_TOOL_CALL.id,
            type: "function",
            function: { name: FAKE_TOOL_CALL.name, arguments: FAKE_TOOL_CALL.arguments },
          },
        ],
      }
    : { role: "assistant", content: FAKE_REPLY, refusal: null };
  return {
    id: "chatcmpl-fake-1",
    object: "chat.completion",
    created: created(),
    model: servedModel(request),
    system_fingerprint: "fp_fake",
    choices: [{ index: 0, message, logprobs: null, finish_reason: request.tools?.length ? "tool_calls" : "stop" }],
    usage: FAKE_USAGE,
  };
}

/** Server-sent events as OpenAI streams them: role delta, content deltas, finish, optional usage, `[DONE]`. */
function streamChatCompletion(res: ServerResponse, request: TChatRequest): void {
  res.writeHead(200, { "Content-Type": "text/event-stream", "Cache-Control": "no-cache", Connection: "keep-alive" });
  const base = {
    id: "chatcmpl-fake-2",
    object: "chat.completion.chunk",
    created: created(),
    model: servedModel(request),
  };
  const includeUsage = request.stream_options?.include_usage === true;
  const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) =>
    `data: ${JSON.stringify({ ...base, system_fingerprint: "fp_fake", choices, ...(includeUsage ? { usage: null } : {}), ...extra })}\n\n`;
  res.write(chunk([{ index: 0, delta: { role: "assistant", content: "", refusal: null }, finish_reason: null }]));
  for (const piece of FAKE_REPLY.match(/\S+\s*/g) ?? []) {
    res.write(chunk([{ index: 0, delta: { content: piece }, finish_reason: null }]));
  }
  res.write(chunk([{ index: 0, delta: {}, finish_reason: "stop" }]));
  if (includeUsage) res.write(chunk([], { usage: FAKE_USAGE }));
  res.end("data: [DONE]\n\n");
}

function embeddings(request: { model?: string; input?: unknown; encoding_format?: string }) {
  const inputs = Array.isArray(request.input) ? request.input : [request.input];
  // The official client asks for base64 by default and decodes little-endian float32 itself.
  const encode = (values: number[]) =>
    request.encoding_format === "base64" ? Buffer.from(new Float32Array(values).buffer).toString("base64") : values;
  return {
    object: "list",
    data: inputs.map((_input, index) => ({ object: "embedding", index, embedding: encode(FAKE_EMBEDDING) })),
    model: request.model,
    usage: { prompt_tokens: 5 * inputs.length, total_tokens: 5 * inputs.length },
  };
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>;
}

/** A local OpenAI-compatible server speaking the real wire format for chat completions and embeddings. */
export async function startFakeOpenAi(): Promise<TFakeOpenAi> {
  const requests: TFakeOpenAi["requests"] = [];
  const server: Server = createServer((req, res) => {
    void (async () => {
      const path = new URL(req.url ?? "/", "http://localhost").pathname;
      const body = await readJson(req);
      requests.push({ path, body });
      if (req.method === "POST" && path === "/v1/chat/completions") {
        const request = body as TChatRequest;
        if (request.stream) streamChatCompletion(res, request);
        else sendJson(res, 200, chatCompletion(request));
      } else if (req.method === "POST" && path === "/v1/embeddings") {
        sendJson(res, 200, embeddings(body));
      } else {
        sendJson(res, 404, { error: { message: `Unknown route ${path}`, type: "invalid_request_error" } });
      }
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
