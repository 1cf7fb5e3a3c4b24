import { type Attributes, context, type Span, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { ATTR } from "../attributes.js";
import { StepSpan } from "../step-span.js";
import { getTracer } from "../tracer.js";
import {
  chatInputMessages,
  chatOutputMessages,
  requestParameterAttributes,
  responsesInputMessages,
  responsesOutputMessages,
  toolDefinitionsAttribute,
  usageAttributes,
} from "./convert.js";
import { ChatStreamAccumulator, ResponsesStreamAccumulator } from "./stream-accumulators.js";
import { isRecordLike, type TJson } from "./values.js";

export interface TWrapOpenAiOptions {
  /** `gen_ai.provider.name` (default `openai`; set it for other OpenAI-compatible providers). */
  provider?: string;
  /** Keep the raw request and response JSON as the span's input/output (default true). */
  captureRaw?: boolean;
}

type TCreate = (body: TJson, options?: unknown) => unknown;

/** The SDK's own promise type, whose `_thenUnwrap` keeps `.withResponse()` working on the result. */
interface TApiPromiseLike extends PromiseLike<unknown> {
  _thenUnwrap?: (transform: (data: unknown) => unknown) => unknown;
}

interface TCallHandlers {
  /** Span name and the attributes known before the call. */
  start(body: TJson): { name: string; attributes: Attributes };
  /** Attributes from a complete (non-streamed) result. */
  finish(span: Span, result: TJson): void;
  /** Accumulates a stream and records it when it ends. */
  stream?(span: Span): { add(item: unknown): void; end(): void };
}

const WRAPPED = Symbol.for("spanlens.openai.wrapped");

function toAsyncIterable(value: unknown): (AsyncIterable<unknown> & TJson) | null {
  return isRecordLike(value) && Symbol.asyncIterator in value ? (value as AsyncIterable<unknown> & TJson) : null;
}

function fail(span: Span, error: unknown): void {
  new StepSpan(span).recordError(error);
  span.end();
}

/** Patches the stream object in place, so `.controller`, `.tee()` and friends stay the SDK's. */
function instrumentStream(stream: AsyncIterable<unknown> & TJson, span: Span, handlers: TCallHandlers): void {
  const iterate = stream[Symbol.asyncIterator].bind(stream);
  const accumulator = handlers.stream?.(span);
  Object.defineProperty(stream, Symbol.asyncIterator, {
    configurable: true,
    value: async function* instrumented() {
      let isFirst = true;
      try {
        for await (const item of { [Symbol.asyncIterator]: iterate }) {
          if (isFirst) span.addEvent("first_chunk");
          isFirst = false;
          accumulator?.add(item);
          yield item;
        }
        accumulator?.end();
        span.end();
      } catch (error) {
        accumulator?.end();
        fail(span, error);
        throw error;
      } finally {
        // A consumer that stops early still gets what it read recorded.
        if (span.isRecording()) {
          accumulator?.end();
          span.end();
        }
      }
    },
  });
}

function wrapCreate(
  original: TCreate,
  resource: object,
  handlers: TCallHandlers,
  options: TWrapOpenAiOptions,
): TCreate {
  const provider = options.provider ?? "openai";
  const captureRaw = options.captureRaw ?? true;
  return function create(body: TJson, requestOptions?: unknown) {
    const { name, attributes } = handlers.start(body);
    const span = getTracer().startSpan(name, {
      kind: SpanKind.CLIENT,
      attributes: {
        [ATTR.providerName]: provider,
        ...(typeof body.model === "string" ? { [ATTR.requestModel]: body.model } : {}),
        ...attributes,
        ...(captureRaw ? { [ATTR.input]: JSON.stringify(body), [ATTR.inputMimeType]: "application/json" } : {}),
      },
    });
    const onResult = (result: unknown) => {
      const stream = toAsyncIterable(result);
      if (stream) {
        instrumentStream(stream, span, handlers);
        return result;
      }
      if (isRecordLike(result)) {
        handlers.finish(span, result);
        if (captureRaw)
          span.setAttributes({ [ATTR.output]: JSON.stringify(result), [ATTR.outputMimeType]: "application/json" });
      }
      span.end();
      return result;
    };
    let pending: TApiPromiseLike;
    try {
      pending = context.with(trace.setSpan(context.active(), span), () =>
        original.call(resource, body, requestOptions),
      ) as TApiPromiseLike;
    } catch (error) {
      fail(span, error);
      throw error;
    }
    if (typeof pending._thenUnwrap === "function") {
      // Observing the unwrapped promise (not the original) keeps one parse of the body.
      const unwrapped = pending._thenUnwrap(onResult) as PromiseLike<unknown>;
      unwrapped.then(undefined, (error: unknown) => fail(span, error));
      return unwrapped;
    }
    return Promise.resolve(pending).then(onResult, (error: unknown) => {
      fail(span, error);
      throw error;
    });
  };
}

const chatHandlers: TCallHandlers = {
  start: (body) => ({
    name: `chat ${String(body.model ?? "")}`.trim(),
    attributes: {
      [ATTR.operationName]: "chat",
      ...requestParameterAttributes(body),
      ...toolDefinitionsAttribute(body),
      [ATTR.inputMessages]: JSON.stringify(chatInputMessages(body)),
    },
  }),
  finish(span, completion) {
    const { messages, finishReasons } = chatOutputMessages(completion.choices);
    span.setAttributes({
      ...(typeof completion.model === "string" ? { [ATTR.responseModel]: completion.model } : {}),
      ...(typeof completion.id === "string" ? { [ATTR.responseId]: completion.id } : {}),
      [ATTR.outputMessages]: JSON.stringify(messages),
      ...(finishReasons.length > 0 ? { [ATTR.finishReasons]: finishReasons } : {}),
      ...usageAttributes(completion.usage),
    });
  },
  stream(span) {
    const accumulator = new ChatStreamAccumulator();
    let isEnded = false;
    return {
      add: (chunk) => accumulator.add(chunk),
      end() {
        if (isEnded) return;
        isEnded = true;
        chatHandlers.finish(span, accumulator.toCompletion());
        span.setAttribute(ATTR.output, JSON.stringify(accumulator.toCompletion()));
      },
    };
  },
};

const responsesHandlers: TCallHandlers = {
  start: (body) => ({
    name: `chat ${String(body.model ?? "")}`.trim(),
    attributes: {
      [ATTR.operationName]: "chat",
      ...requestParameterAttributes(body),
      ...toolDefinitionsAttribute(body),
      ...(typeof body.instructions === "string"
        ? { [ATTR.systemInstructions]: JSON.stringify([{ type: "text", content: body.instructions }]) }
        : {}),
      [ATTR.inputMessages]: JSON.stringify(responsesInputMessages(body)),
    },
  }),
  finish(span, response) {
    const messages = responsesOutputMessages(response);
    const finishReason = messages[0]?.finish_reason;
    span.setAttributes({
      ...(typeof response.model === "string" ? { [ATTR.responseModel]: response.model } : {}),
      ...(typeof response.id === "string" ? { [ATTR.responseId]: response.id } : {}),
      [ATTR.outputMessages]: JSON.stringify(messages),
      ...(finishReason ? { [ATTR.finishReasons]: [finishReason] } : {}),
      ...usageAttributes(response.usage),
    });
    if (response.status === "failed" && isRecordLike(response.error))
      span.setStatus({ code: SpanStatusCode.ERROR, message: String(response.error.message ?? "response failed") });
  },
  stream(span) {
    const accumulator = new ResponsesStreamAccumulator();
    let isEnded = false;
    return {
      add: (event) => accumulator.add(event),
      end() {
        if (isEnded) return;
        isEnded = true;
        const response = accumulator.response ?? {
          output: [{ type: "message", content: [{ type: "output_text", text: accumulator.text }] }],
          status: "incomplete",
        };
        responsesHandlers.finish(span, response);
        span.setAttribute(ATTR.output, JSON.stringify(response));
      },
    };
  },
};

const embeddingHandlers: TCallHandlers = {
  start: (body) => {
    const inputs = Array.isArray(body.input) ? body.input : [body.input];
    return {
      name: `embeddings ${String(body.model ?? "")}`.trim(),
      attributes: {
        [ATTR.operationName]: "embeddings",
        ...(typeof body.dimensions === "number" ? { [ATTR.embeddingDimensions]: body.dimensions } : {}),
        "gen_ai.embeddings.input.count": inputs.length,
      },
    };
  },
  finish(span, result) {
    const [first] = Array.isArray(result.data) ? result.data : [];
    const vector = isRecordLike(first) ? first.embedding : undefined;
    span.setAttributes({
      ...(typeof result.model === "string" ? { [ATTR.responseModel]: result.model } : {}),
      ...(Array.isArray(vector) ? { [ATTR.embeddingDimensions]: vector.length } : {}),
      ...usageAttributes(result.usage),
    });
  },
};

/** Replaces `resource[method]` on the instance; the prototype (shared by other clients) is untouched. */
function patch(resource: unknown, handlers: TCallHandlers, options: TWrapOpenAiOptions): void {
  if (typeof resource !== "object" || resource === null) return;
  const target = resource as { create?: TCreate };
  if (typeof target.create !== "function") return;
  target.create = wrapCreate(target.create, resource as object, handlers, options);
}

/**
 * Instruments an `openai` client so `chat.completions.create`, `responses.create` and
 * `embeddings.create` (streamed or not) become GenAI spans with model, parameters,
 * messages, usage and the raw request/response, children of the active step. Returns the
 * same client; wrapping twice is a no-op.
 */
export function wrapOpenAI<T extends object>(client: T, options: TWrapOpenAiOptions = {}): T {
  const flags = client as T & { [WRAPPED]?: boolean };
  if (flags[WRAPPED]) return client;
  const resources = client as unknown as {
    chat?: { completions?: unknown };
    responses?: unknown;
    embeddings?: unknown;
  };
  patch(resources.chat?.completions, chatHandlers, options);
  patch(resources.responses, responsesHandlers, options);
  patch(resources.embeddings, embeddingHandlers, options);
  Object.defineProperty(client, WRAPPED, { value: true });
  return client;
}
