/**
 * Attribute keys the SDK writes. OTel GenAI (current convention) wherever it has a name;
 * otherwise the key the Spanlens normalizer and other OTel backends already read
 * (`input.value`, `llm.prompt_template.*`, `reranker.*`, `tag.tags`), and a `spanlens.*`
 * key only where no convention has one.
 */
export const ATTR = {
  operationName: "gen_ai.operation.name",
  providerName: "gen_ai.provider.name",
  requestModel: "gen_ai.request.model",
  responseModel: "gen_ai.response.model",
  responseId: "gen_ai.response.id",
  finishReasons: "gen_ai.response.finish_reasons",
  inputMessages: "gen_ai.input.messages",
  outputMessages: "gen_ai.output.messages",
  systemInstructions: "gen_ai.system_instructions",
  inputTokens: "gen_ai.usage.input_tokens",
  outputTokens: "gen_ai.usage.output_tokens",
  cacheReadTokens: "gen_ai.usage.cache_read.input_tokens",
  cacheWriteTokens: "gen_ai.usage.cache_creation.input_tokens",
  reasoningTokens: "gen_ai.usage.reasoning.output_tokens",
  embeddingDimensions: "gen_ai.embeddings.dimension.count",
  retrievalQuery: "gen_ai.retrieval.query.text",
  retrievalDocuments: "gen_ai.retrieval.documents",
  toolName: "gen_ai.tool.name",
  toolCallId: "gen_ai.tool.call.id",
  toolCallArguments: "gen_ai.tool.call.arguments",
  toolCallResult: "gen_ai.tool.call.result",
  toolDescription: "gen_ai.tool.description",
  conversationId: "gen_ai.conversation.id",
  promptName: "gen_ai.prompt.name",
  promptTemplate: "llm.prompt_template.template",
  promptVersion: "llm.prompt_template.version",
  promptVariables: "llm.prompt_template.variables",
  rerankerQuery: "reranker.query",
  rerankerModel: "reranker.model_name",
  rerankerTopK: "reranker.top_k",
  input: "input.value",
  inputMimeType: "input.mime_type",
  output: "output.value",
  outputMimeType: "output.mime_type",
  userId: "user.id",
  sessionId: "session.id",
  tags: "tag.tags",
  errorType: "error.type",
  /** GenAI has no operation for rerank, guardrail or evaluator steps. */
  spanKind: "spanlens.span.kind",
  /** Extra facts attached to a recorded exception (the question, the step's inputs, …). */
  errorContextPrefix: "spanlens.error.context.",
} as const;

/** What a step is for; the trace view groups and colours spans by it. */
export type TStepKind =
  | "generation"
  | "embedding"
  | "retrieval"
  | "rerank"
  | "tool"
  | "agent"
  | "chain"
  | "guardrail"
  | "evaluator"
  | "span";

/** The GenAI operation for a kind; kinds without one are named by `spanlens.span.kind`. */
export const GEN_AI_OPERATION_BY_KIND: Partial<Record<TStepKind, string>> = {
  generation: "chat",
  embedding: "embeddings",
  retrieval: "retrieval",
  tool: "execute_tool",
  agent: "invoke_agent",
  chain: "invoke_workflow",
};

/** Text for an attribute: strings as they are, anything else as JSON. */
export function toAttributeText(value: unknown): string {
  if (typeof value === "string") return value;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
