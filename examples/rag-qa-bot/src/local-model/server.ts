import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { z } from "zod";
import { countTokens, hashEmbedding } from "../text.js";
import { answerFromPrompt } from "./answerer.js";

export const LOCAL_CHAT_MODEL = "northwind-extractive-1";
export const LOCAL_EMBEDDING_MODEL = "northwind-hash-embed-1024";

const ZMessage = z.object({
  role: z.string(),
  content: z.union([z.string(), z.null(), z.array(z.unknown())]).optional(),
});
const ZChatRequest = z.object({
  model: z.string(),
  messages: z.array(ZMessage).min(1),
  stream: z.boolean().optional(),
  stream_options: z.object({ include_usage: z.boolean().optional() }).optional(),
});
const ZEmbeddingRequest = z.object({
  model: z.string(),
  input: z.union([z.string(), z.array(z.string())]),
  encoding_format: z.enum(["float", "base64"]).optional(),
});

export interface TLocalModelServer {
  /** `${origin}/v1`, the `baseURL` for the OpenAI client. */
  baseUrl: string;
  close(): Promise<void>;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "Content-Type": "application/json" });
  res.end(JSON.stringify(body));
}

function badRequest(res: ServerResponse, error: z.ZodError): void {
  const issue = error.issues[0];
  sendJson(res, 400, {
    error: { message: `${issue?.path.join(".") || "body"}: ${issue?.message}`, type: "invalid_request_error" },
  });
}

const textOf = (content: unknown): string =>
  typeof content === "string"
    ? content
    : Array.isArray(content)
      ? content.map((part) => (typeof part === "object" && part && "text" in part ? String(part.text) : "")).join("")
      : "";

function chatCompletion(res: ServerResponse, request: z.infer<typeof ZChatRequest>): void {
  const prompt = textOf(request.messages.findLast((message) => message.role === "user")?.content);
  const answer = answerFromPrompt(prompt);
  const promptTokens = request.messages.reduce((sum, message) => sum + countTokens(textOf(message.content)) + 3, 0);
  const usage = {
    prompt_tokens: promptTokens,
    completion_tokens: countTokens(answer),
    total_tokens: promptTokens + countTokens(answer),
  };
  const base = {
    id: `chatcmpl-local-${Date.now().toString(36)}`,
    created: Math.floor(Date.now() / 1000),
    model: LOCAL_CHAT_MODEL,
  };
  if (!request.stream) {
    sendJson(res, 200, {
      ...base,
      object: "chat.completion",
      choices: [
        {
          index: 0,
          message: { role: "assistant", content: answer, refusal: null },
          logprobs: null,
          finish_reason: "stop",
        },
      ],
      usage,
    });
    return;
  }
  res.writeHead(200, { "Content-Type": "text/event-stream", "Cache-Control": "no-cache" });
  const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) =>
    res.write(`data: ${JSON.stringify({ ...base, object: "chat.completion.chunk", choices, ...extra })}\n\n`);
  chunk([{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null }]);
  for (const piece of answer.match(/\S+\s*/g) ?? [])
    chunk([{ index: 0, delta: { content: piece }, finish_reason: null }]);
  chunk([{ index: 0, delta: {}, finish_reason: "stop" }]);
  if (request.stream_options?.include_usage) chunk([], { usage });
  res.end("data: [DONE]\n\n");
}

function embeddings(res: ServerResponse, request: z.infer<typeof ZEmbeddingRequest>): void {
  const inputs = Array.isArray(request.input) ? request.input : [request.input];
  // The official client asks for base64 by default and decodes little-endian float32 itself.
  const encode = (vector: number[]) =>
    request.encoding_format === "base64" ? Buffer.from(new Float32Array(vector).buffer).toString("base64") : vector;
  const tokens = inputs.reduce((sum, input) => sum + countTokens(input), 0);
  sendJson(res, 200, {
    object: "list",
    data: inputs.map((input, index) => ({ object: "embedding", index, embedding: encode(hashEmbedding(input)) })),
    model: LOCAL_EMBEDDING_MODEL,
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  });
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    return undefined;
  }
}

/**
 * The offline model as a tiny OpenAI-compatible HTTP server on a random loopback port, so
 * the bot's `openai` client code path is the same with or without a real endpoint.
 */
export async function startLocalModelServer(): Promise<TLocalModelServer> {
  const server: Server = createServer((req, res) => {
    void (async () => {
      const path = new URL(req.url ?? "/", "http://localhost").pathname;
      const body = await readJson(req);
      if (req.method === "POST" && path === "/v1/chat/completions") {
        const parsed = ZChatRequest.safeParse(body);
        if (parsed.success) chatCompletion(res, parsed.data);
        else badRequest(res, parsed.error);
      } else if (req.method === "POST" && path === "/v1/embeddings") {
        const parsed = ZEmbeddingRequest.safeParse(body);
        if (parsed.success) embeddings(res, parsed.data);
        else badRequest(res, parsed.error);
      } else {
        sendJson(res, 404, {
          error: { message: `Unknown route ${req.method} ${path}`, type: "invalid_request_error" },
        });
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (!address || typeof address === "string") throw new Error("local model server did not bind a port");
  server.unref();
  return {
    baseUrl: `http://127.0.0.1:${address.port}/v1`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
