import { type Attributes, context, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { ATTR, GEN_AI_OPERATION_BY_KIND, type TStepKind, toAttributeText } from "./attributes.js";
import { isRecorded, StepSpan } from "./step-span.js";
import { getTracer } from "./tracer.js";

export interface TStepOptions {
  /** What the step is for; defaults from the name (`rag.retrieve` → retrieval, `llm.*` → generation). */
  kind?: TStepKind;
  /** Recorded as the step's input (`input.value`). */
  input?: unknown;
  attributes?: Attributes;
  /** Record the function's return value as the step's output (default true). */
  captureOutput?: boolean;
}

const KIND_BY_NAME: ReadonlyArray<[RegExp, TStepKind]> = [
  [/(^|\.)(retrieve|retrieval|search)$/, "retrieval"],
  [/(^|\.)rerank$/, "rerank"],
  [/(^|\.)embed(dings?)?$/, "embedding"],
  [/^llm\.|(^|\.)(generate|completion|chat)$/, "generation"],
  [/^tool\./, "tool"],
  [/^agent\./, "agent"],
  [/(^|\.)guardrail$/, "guardrail"],
  [/(^|\.)(evaluate|eval)$/, "evaluator"],
];

export function inferKind(name: string): TStepKind {
  return KIND_BY_NAME.find(([pattern]) => pattern.test(name))?.[1] ?? "span";
}

function startStep(name: string, options: TStepOptions): StepSpan {
  const kind = options.kind ?? inferKind(name);
  const operation = GEN_AI_OPERATION_BY_KIND[kind];
  const attributes: Attributes = { ...options.attributes };
  // Generation steps get their operation from setGeneration or the OpenAI wrapper, which
  // know whether it was chat or an embedding; a generic step without a model stays a chain.
  if (operation && kind !== "generation") attributes[ATTR.operationName] = operation;
  else if (kind !== "span") attributes[ATTR.spanKind] = kind;
  if (options.input !== undefined) attributes[ATTR.input] = toAttributeText(options.input);
  const span = getTracer().startSpan(name, { kind: SpanKind.INTERNAL, attributes });
  return new StepSpan(span);
}

function failStep(step: StepSpan, error: unknown): void {
  if (isRecorded(error)) {
    const message = error instanceof Error ? error.message : String(error);
    step.otelSpan.setAttribute(ATTR.errorType, error instanceof Error ? error.name : typeof error);
    step.otelSpan.setStatus({ code: SpanStatusCode.ERROR, message });
    return;
  }
  step.recordError(error);
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === "object" && value !== null && Symbol.asyncIterator in value && !("then" in value);
}

/**
 * Iterates `source` with the step's span active, records string chunks joined as the output,
 * and ends the span when the consumer finishes, stops early, or the source throws.
 */
async function* traceIterable<T>(step: StepSpan, source: AsyncIterable<T>, captureOutput: boolean) {
  const activeContext = trace.setSpan(context.active(), step.otelSpan);
  const iterator = context.with(activeContext, () => source[Symbol.asyncIterator]());
  const texts: string[] = [];
  let chunkCount = 0;
  let isDone = false;
  try {
    for (;;) {
      const result = await context.with(activeContext, () => iterator.next());
      if (result.done) {
        isDone = true;
        break;
      }
      if (chunkCount === 0) step.otelSpan.addEvent("first_chunk");
      chunkCount += 1;
      if (typeof result.value === "string") texts.push(result.value);
      yield result.value;
    }
  } catch (error) {
    failStep(step, error);
    throw error;
  } finally {
    if (!isDone) await iterator.return?.();
    if (captureOutput && !step.hasOutput && texts.length > 0 && texts.length === chunkCount)
      step.setOutput(texts.join(""));
    step.otelSpan.end();
  }
}

/**
 * Runs `fn` as a traced pipeline step: a child of the active span, active itself while `fn`
 * runs, ended when the promise settles. Thrown errors are recorded and rethrown. When `fn`
 * returns an async iterable (a stream), the step stays open until it is consumed.
 */
export function step<T>(name: string, fn: (span: StepSpan) => T): T;
export function step<T>(name: string, options: TStepOptions, fn: (span: StepSpan) => T): T;
export function step<T>(
  name: string,
  optionsOrFn: TStepOptions | ((span: StepSpan) => T),
  maybeFn?: (span: StepSpan) => T,
): T {
  const options = typeof optionsOrFn === "function" ? {} : optionsOrFn;
  const fn = typeof optionsOrFn === "function" ? optionsOrFn : maybeFn;
  if (!fn) throw new TypeError("step() needs a function to run");
  const captureOutput = options.captureOutput ?? true;
  const stepSpan = startStep(name, options);
  const activeContext = trace.setSpan(context.active(), stepSpan.otelSpan);
  const finish = (value: unknown) => {
    if (captureOutput && value !== undefined && !stepSpan.hasOutput) stepSpan.setOutput(value);
    stepSpan.otelSpan.end();
  };
  let result: T;
  try {
    result = context.with(activeContext, () => fn(stepSpan));
  } catch (error) {
    failStep(stepSpan, error);
    stepSpan.otelSpan.end();
    throw error;
  }
  if (isAsyncIterable(result)) return traceIterable(stepSpan, result, captureOutput) as T;
  if (result instanceof Promise) {
    return result.then(
      (value: unknown) => {
        if (isAsyncIterable(value)) return traceIterable(stepSpan, value, captureOutput);
        finish(value);
        return value;
      },
      (error: unknown) => {
        failStep(stepSpan, error);
        stepSpan.otelSpan.end();
        throw error;
      },
    ) as T;
  }
  finish(result);
  return result;
}

/** Wraps a function so every call is a traced step (`const retrieve = observe("rag.retrieve", fn)`). */
export function observe<A extends unknown[], R>(
  name: string,
  options: TStepOptions,
  fn: (span: StepSpan, ...args: A) => R,
): (...args: A) => R {
  return (...args: A) => step(name, options, (span) => fn(span, ...args));
}

/** The span of the innermost active step (or any active OTel span), to add facts from deep code. */
export function currentStep(): StepSpan | null {
  const span = trace.getActiveSpan();
  return span ? new StepSpan(span) : null;
}
