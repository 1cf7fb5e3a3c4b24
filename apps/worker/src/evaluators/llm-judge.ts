import { randomBytes } from "node:crypto";
import { childLogger, normalizeSpan } from "@spanlens/core";
import { JUDGE_REPLY_INSTRUCTIONS, type TEvaluatorConfig } from "@spanlens/db";
import { UnrecoverableError } from "bullmq";
import { z } from "zod";
import type { TVerdict } from "./deterministic-evaluators.js";
import type { TEvaluationTrace } from "./trace-view.js";

const log = childLogger("llm-judge");

type TJudgeConfig = Extract<TEvaluatorConfig, { type: "llm_judge" }>;

export interface TJudgeConnection {
  provider: string;
  baseUrl: string;
  apiKey: string | null;
  model: string;
}

export interface TJudgeResult {
  verdict: TVerdict;
  /** The judge call as a normalized span, to be stored as its own trace. */
  judgeSpan: ReturnType<typeof normalizeSpan>;
  costUsd: number;
}

/** A judge failure that a retry will not fix (bad key, unknown model, unusable endpoint). */
export class JudgeConfigurationError extends UnrecoverableError {}

const ZVerdict = z.object({
  score: z.coerce.number().min(0).max(1),
  reasoning: z.string().default(""),
});

const ZChatCompletion = z.object({
  model: z.string().optional(),
  choices: z.array(z.object({ message: z.object({ content: z.string().nullable() }) })).min(1),
  usage: z
    .object({ prompt_tokens: z.number().optional(), completion_tokens: z.number().optional() })
    .partial()
    .optional(),
});

/** Fills `{{input}}`, `{{output}}`, `{{context}}` and `{{reference}}` from the trace. */
export function renderJudgePrompt(config: TJudgeConfig, trace: TEvaluationTrace): string {
  const values: Record<string, string> = {
    input: trace.input,
    output: trace.output,
    context: trace.context.map((content, index) => `[${index + 1}] ${content}`).join("\n"),
    reference: trace.metadata[config.referenceKey] ?? "",
  };
  const body = config.prompt.replace(
    /\{\{\s*(input|output|context|reference)\s*\}\}/g,
    (_match, key: string) => values[key] ?? "",
  );
  return `${body}\n\n${JUDGE_REPLY_INSTRUCTIONS}`;
}

/** Reads the verdict from the judge's reply: a JSON object, possibly fenced or wrapped in prose. */
export function parseJudgeReply(content: string): TVerdict {
  const start = content.indexOf("{");
  const end = content.lastIndexOf("}");
  if (start < 0 || end < start) throw new Error(`judge reply holds no JSON object: ${content.slice(0, 200)}`);
  let json: unknown;
  try {
    json = JSON.parse(content.slice(start, end + 1));
  } catch {
    throw new Error(`judge reply is not valid JSON: ${content.slice(0, 200)}`);
  }
  const parsed = ZVerdict.safeParse(json);
  if (!parsed.success) {
    throw new Error(`judge reply has no score between 0 and 1: ${content.slice(0, 200)}`);
  }
  return { value: parsed.data.score, comment: parsed.data.reasoning };
}

const SYSTEM_PROMPT = "You are a careful, impartial evaluator of LLM application outputs.";

/**
 * Calls an OpenAI-compatible chat completions endpoint as judge and returns its verdict
 * with the call as a span (prompt, reply, model, usage), so the judge is traced like any
 * LLM call. Retryable failures (network, 429, 5xx, unparseable reply) throw plain errors
 * for BullMQ to retry; configuration failures throw JudgeConfigurationError.
 */
export async function runLlmJudge(
  evaluator: { id: string; name: string; version: number },
  config: TJudgeConfig,
  trace: TEvaluationTrace,
  connection: TJudgeConnection,
): Promise<TJudgeResult> {
  const model = config.model ?? connection.model;
  const prompt = renderJudgePrompt(config, trace);
  const messages = [
    { role: "system", content: SYSTEM_PROMPT },
    { role: "user", content: prompt },
  ];
  const startMs = Date.now();
  let response: Response;
  try {
    response = await fetch(`${connection.baseUrl}/chat/completions`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...(connection.apiKey ? { authorization: `Bearer ${connection.apiKey}` } : {}),
      },
      body: JSON.stringify({ model, messages, temperature: 0, response_format: { type: "json_object" } }),
      signal: AbortSignal.timeout(60_000),
    });
  } catch (error) {
    throw new Error(`judge endpoint ${connection.baseUrl} unreachable: ${(error as Error).message}`);
  }
  const endMs = Date.now();
  const text = await response.text();
  if (!response.ok) {
    const reason = `judge endpoint answered ${response.status}: ${text.slice(0, 300)}`;
    if (response.status === 429 || response.status >= 500) throw new Error(reason);
    throw new JudgeConfigurationError(reason);
  }
  let completion: z.infer<typeof ZChatCompletion>;
  try {
    completion = ZChatCompletion.parse(JSON.parse(text));
  } catch {
    throw new JudgeConfigurationError(`judge endpoint did not answer an OpenAI chat completion: ${text.slice(0, 200)}`);
  }
  const content = completion.choices[0]?.message.content ?? "";
  const judgeSpan = toJudgeSpan(evaluator, trace.traceId, {
    provider: connection.provider,
    requestModel: model,
    responseModel: completion.model ?? model,
    messages,
    reply: content,
    inputTokens: completion.usage?.prompt_tokens ?? null,
    outputTokens: completion.usage?.completion_tokens ?? null,
    startMs,
    endMs,
  });
  log.debug({ evaluatorId: evaluator.id, traceId: trace.traceId, model }, "judge answered");
  const verdict = parseJudgeReply(content);
  return { verdict, judgeSpan, costUsd: judgeSpan.cost.total ?? 0 };
}

function toJudgeSpan(
  evaluator: { id: string; name: string; version: number },
  evaluatedTraceId: string,
  call: {
    provider: string;
    requestModel: string;
    responseModel: string;
    messages: { role: string; content: string }[];
    reply: string;
    inputTokens: number | null;
    outputTokens: number | null;
    startMs: number;
    endMs: number;
  },
) {
  const toParts = (role: string, content: string) => ({ role, parts: [{ type: "text", content }] });
  const attributes: Record<string, string | number | string[]> = {
    "gen_ai.operation.name": "chat",
    "gen_ai.provider.name": call.provider,
    "gen_ai.request.model": call.requestModel,
    "gen_ai.response.model": call.responseModel,
    "gen_ai.request.temperature": 0,
    "gen_ai.input.messages": JSON.stringify(call.messages.map((message) => toParts(message.role, message.content))),
    "gen_ai.output.messages": JSON.stringify([{ ...toParts("assistant", call.reply), finish_reason: "stop" }]),
    "tag.tags": ["spanlens:evaluator", `evaluator:${evaluator.name}`],
    "spanlens.evaluator.id": evaluator.id,
    "spanlens.evaluator.version": String(evaluator.version),
    "spanlens.evaluated_trace_id": evaluatedTraceId,
  };
  if (call.inputTokens !== null) attributes["gen_ai.usage.input_tokens"] = call.inputTokens;
  if (call.outputTokens !== null) attributes["gen_ai.usage.output_tokens"] = call.outputTokens;
  return normalizeSpan({
    traceId: randomBytes(16).toString("hex"),
    spanId: randomBytes(8).toString("hex"),
    parentSpanId: null,
    name: `evaluator ${evaluator.name}`,
    kind: 3,
    startTimeUnixNano: String(BigInt(call.startMs) * 1_000_000n),
    endTimeUnixNano: String(BigInt(call.endMs) * 1_000_000n),
    attributes,
    events: [],
    links: [],
    status: { code: 1, message: "" },
    resource: { "service.name": "spanlens-evaluator" },
    scope: { name: "spanlens.evaluator", version: "1", attributes: {} },
  });
}
