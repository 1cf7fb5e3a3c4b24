/** OpenAI wire shapes → GenAI attributes. Structural types: the SDK never loads `openai` itself. */
import type { Attributes } from "@opentelemetry/api";
import { ATTR } from "../attributes.js";
import { type TChatMessage, type TGenAiMessage, type TGenAiPart, toGenAiMessage } from "../messages.js";

import { isRecordLike, type TJson } from "./values.js";

export type { TJson };

const isRecord = isRecordLike;
const num = (value: unknown): number | undefined => (typeof value === "number" ? value : undefined);

const REQUEST_PARAMETERS: Record<string, string> = {
  temperature: "gen_ai.request.temperature",
  max_tokens: "gen_ai.request.max_tokens",
  max_completion_tokens: "gen_ai.request.max_tokens",
  max_output_tokens: "gen_ai.request.max_tokens",
  top_p: "gen_ai.request.top_p",
  seed: "gen_ai.request.seed",
  frequency_penalty: "gen_ai.request.frequency_penalty",
  presence_penalty: "gen_ai.request.presence_penalty",
};

export function requestParameterAttributes(body: TJson): Attributes {
  const attributes: Attributes = {};
  for (const [name, key] of Object.entries(REQUEST_PARAMETERS)) {
    const value = num(body[name]);
    if (value !== undefined) attributes[key] = value;
  }
  const stop = typeof body.stop === "string" ? [body.stop] : body.stop;
  if (Array.isArray(stop) && stop.every((item) => typeof item === "string"))
    attributes["gen_ai.request.stop_sequences"] = stop;
  return attributes;
}

export function toolDefinitionsAttribute(body: TJson): Attributes {
  return Array.isArray(body.tools) && body.tools.length > 0
    ? { "gen_ai.tool.definitions": JSON.stringify(body.tools) }
    : {};
}

/** Chat Completions / Responses / Embeddings usage, in GenAI meaning (input includes cached). */
export function usageAttributes(usage: unknown): Attributes {
  if (!isRecord(usage)) return {};
  const attributes: Attributes = {};
  const input = num(usage.prompt_tokens) ?? num(usage.input_tokens);
  const output = num(usage.completion_tokens) ?? num(usage.output_tokens);
  const inputDetails = usage.prompt_tokens_details ?? usage.input_tokens_details;
  const outputDetails = usage.completion_tokens_details ?? usage.output_tokens_details;
  if (input !== undefined) attributes[ATTR.inputTokens] = input;
  if (output !== undefined) attributes[ATTR.outputTokens] = output;
  const cached = isRecord(inputDetails) ? num(inputDetails.cached_tokens) : undefined;
  const reasoning = isRecord(outputDetails) ? num(outputDetails.reasoning_tokens) : undefined;
  if (cached !== undefined) attributes[ATTR.cacheReadTokens] = cached;
  if (reasoning !== undefined) attributes[ATTR.reasoningTokens] = reasoning;
  return attributes;
}

export function chatInputMessages(body: TJson): TGenAiMessage[] {
  const messages = Array.isArray(body.messages) ? body.messages : [];
  return messages.filter(isRecord).map((message) => toGenAiMessage(message as unknown as TChatMessage));
}

/** `choices[]` of a chat completion as GenAI output messages, each with its finish reason. */
export function chatOutputMessages(choices: unknown): { messages: TGenAiMessage[]; finishReasons: string[] } {
  const list = Array.isArray(choices) ? choices.filter(isRecord) : [];
  const finishReasons: string[] = [];
  const messages = list.map((choice) => {
    const finishReason = typeof choice.finish_reason === "string" ? choice.finish_reason : undefined;
    if (finishReason) finishReasons.push(finishReason);
    const message = isRecord(choice.message) ? choice.message : { role: "assistant" };
    const chatMessage = message as unknown as TChatMessage;
    return toGenAiMessage({ ...chatMessage, role: chatMessage.role ?? "assistant" }, finishReason ?? null);
  });
  return { messages, finishReasons };
}

/** Responses API `input` (a string or items) as GenAI messages. */
export function responsesInputMessages(body: TJson): TGenAiMessage[] {
  const input = body.input;
  if (typeof input === "string") return [{ role: "user", parts: [{ type: "text", content: input }] }];
  if (!Array.isArray(input)) return [];
  const messages: TGenAiMessage[] = [];
  for (const item of input.filter(isRecord)) {
    if (item.type === "function_call_output") {
      messages.push({
        role: "tool",
        parts: [{ type: "tool_call_response", id: String(item.call_id ?? ""), response: item.output ?? null }],
      });
    } else if (item.type === "function_call") {
      messages.push({ role: "assistant", parts: [functionCallPart(item)] });
    } else if (typeof item.role === "string") {
      messages.push(toGenAiMessage({ role: item.role, content: responsesContent(item.content) }));
    }
  }
  return messages;
}

function functionCallPart(item: TJson): TGenAiPart {
  return {
    type: "tool_call",
    ...(typeof item.call_id === "string" ? { id: item.call_id } : {}),
    name: String(item.name ?? "unknown"),
    arguments: item.arguments ?? null,
  };
}

/** `input_text` / `output_text` parts carry `text`; others pass through. */
function responsesContent(content: unknown): unknown {
  if (!Array.isArray(content)) return content;
  return content.map((part) =>
    isRecord(part) && typeof part.text === "string" ? { type: "text", text: part.text } : part,
  );
}

/** A Responses API `output` list as one assistant message (text and function calls). */
export function responsesOutputMessages(response: TJson): TGenAiMessage[] {
  const output = Array.isArray(response.output) ? response.output.filter(isRecord) : [];
  const parts: TGenAiPart[] = [];
  for (const item of output) {
    if (item.type === "message" && Array.isArray(item.content)) {
      for (const part of item.content.filter(isRecord)) {
        if (typeof part.text === "string") parts.push({ type: "text", content: part.text });
        else if (typeof part.refusal === "string") parts.push({ type: "refusal", content: part.refusal });
      }
    } else if (item.type === "function_call") {
      parts.push(functionCallPart(item));
    } else if (item.type === "reasoning") {
      parts.push({ type: "reasoning", content: JSON.stringify(item.summary ?? []) });
    }
  }
  const hasToolCall = parts.some((part) => part.type === "tool_call");
  const finishReason = response.status === "incomplete" ? "length" : hasToolCall ? "tool_calls" : "stop";
  return [{ role: "assistant", parts, finish_reason: finishReason }];
}
