import { isRecordLike, type TJson } from "./values.js";

interface TToolCallDraft {
  id?: string;
  name: string;
  arguments: string;
}

/** Rebuilds a chat completion from its `chat.completion.chunk` events (content, tool calls, usage). */
export class ChatStreamAccumulator {
  id: string | undefined;
  model: string | undefined;
  usage: unknown;
  readonly #texts = new Map<number, string[]>();
  readonly #toolCalls = new Map<number, Map<number, TToolCallDraft>>();
  readonly #finishReasons = new Map<number, string>();

  add(chunk: unknown): void {
    if (!isRecordLike(chunk)) return;
    if (typeof chunk.id === "string") this.id ??= chunk.id;
    if (typeof chunk.model === "string") this.model ??= chunk.model;
    if (isRecordLike(chunk.usage)) this.usage = chunk.usage;
    for (const choice of Array.isArray(chunk.choices) ? chunk.choices : []) {
      if (!isRecordLike(choice)) continue;
      const index = typeof choice.index === "number" ? choice.index : 0;
      if (typeof choice.finish_reason === "string") this.#finishReasons.set(index, choice.finish_reason);
      const delta = isRecordLike(choice.delta) ? choice.delta : {};
      if (typeof delta.content === "string" && delta.content !== "") {
        const texts = this.#texts.get(index) ?? [];
        texts.push(delta.content);
        this.#texts.set(index, texts);
      }
      for (const call of Array.isArray(delta.tool_calls) ? delta.tool_calls : []) this.#addToolCall(index, call);
    }
  }

  #addToolCall(choiceIndex: number, call: unknown): void {
    if (!isRecordLike(call)) return;
    const calls = this.#toolCalls.get(choiceIndex) ?? new Map<number, TToolCallDraft>();
    this.#toolCalls.set(choiceIndex, calls);
    const index = typeof call.index === "number" ? call.index : calls.size;
    const draft = calls.get(index) ?? { name: "", arguments: "" };
    const fn: TJson = isRecordLike(call.function) ? call.function : {};
    if (typeof call.id === "string") draft.id = call.id;
    if (typeof fn.name === "string") draft.name += fn.name;
    if (typeof fn.arguments === "string") draft.arguments += fn.arguments;
    calls.set(index, draft);
  }

  get finishReasons(): string[] {
    return [...this.#finishReasons.values()];
  }

  /** The assembled completion in the non-streaming wire shape, kept as the raw output. */
  toCompletion(): TJson {
    const indexes = [...new Set([...this.#texts.keys(), ...this.#toolCalls.keys(), ...this.#finishReasons.keys()])];
    const choices = indexes
      .sort((a, b) => a - b)
      .map((index) => {
        const calls = [...(this.#toolCalls.get(index)?.values() ?? [])];
        return {
          index,
          message: {
            role: "assistant",
            content: this.#texts.get(index)?.join("") || null,
            ...(calls.length > 0
              ? {
                  tool_calls: calls.map((call) => ({
                    id: call.id,
                    type: "function",
                    function: { name: call.name, arguments: call.arguments },
                  })),
                }
              : {}),
          },
          finish_reason: this.#finishReasons.get(index) ?? null,
        };
      });
    return {
      id: this.id,
      object: "chat.completion",
      model: this.model,
      choices,
      ...(this.usage ? { usage: this.usage } : {}),
    };
  }
}

/** The Responses API stream ends with `response.completed` carrying the whole response. */
export class ResponsesStreamAccumulator {
  response: TJson | null = null;
  readonly #texts: string[] = [];

  add(event: unknown): void {
    if (!isRecordLike(event)) return;
    if (event.type === "response.output_text.delta" && typeof event.delta === "string") this.#texts.push(event.delta);
    if (
      (event.type === "response.completed" ||
        event.type === "response.incomplete" ||
        event.type === "response.failed") &&
      isRecordLike(event.response)
    )
      this.response = event.response;
  }

  /** Text seen in deltas, for streams cut off before `response.completed`. */
  get text(): string {
    return this.#texts.join("");
  }
}
