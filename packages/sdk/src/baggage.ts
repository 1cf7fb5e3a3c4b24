import { type Context, context, propagation } from "@opentelemetry/api";
import type { ReadableSpan, Span, SpanProcessor } from "@opentelemetry/sdk-trace";
import { ATTR } from "./attributes.js";

/** Baggage entry holding the request's semantic tags (`domain:hr,intent:policy_lookup`). */
export const TAGS_BAGGAGE_KEY = "spanlens.tags";
export const FEATURE_FLAG_PREFIX = "feature_flag.";
export const METADATA_PREFIX = "spanlens.metadata.";

export type TBaggageKeyFilter = (key: string) => boolean;

export interface TBaggageSpanProcessorOptions {
  /**
   * Which baggage entries become span attributes. Default: `user.id`, `session.id`,
   * `gen_ai.conversation.id`, `spanlens.tags` (as the `tag.tags` list), `feature_flag.*` and
   * `spanlens.metadata.*`. Baggage travels to other services in headers, so copy only what
   * you mean to store.
   */
  keys?: ReadonlyArray<string | RegExp> | TBaggageKeyFilter;
}

const DEFAULT_KEYS: ReadonlyArray<string | RegExp> = [
  ATTR.userId,
  ATTR.sessionId,
  ATTR.conversationId,
  TAGS_BAGGAGE_KEY,
  /^feature_flag\./,
  /^spanlens\.metadata\./,
];

function toFilter(keys: TBaggageSpanProcessorOptions["keys"]): TBaggageKeyFilter {
  if (typeof keys === "function") return keys;
  const list = keys ?? DEFAULT_KEYS;
  return (key) => list.some((entry) => (typeof entry === "string" ? entry === key : entry.test(key)));
}

export function parseTags(value: string): string[] {
  return [
    ...new Set(
      value
        .split(",")
        .map((tag) => tag.trim())
        .filter(Boolean),
    ),
  ];
}

/**
 * Copies chosen W3C baggage entries onto every span when it starts, so the user, session,
 * feature flags and tags of a request reach the backend on each span (baggage itself is
 * only propagated, never exported).
 */
export class BaggageSpanProcessor implements SpanProcessor {
  readonly #isCopied: TBaggageKeyFilter;

  constructor(options: TBaggageSpanProcessorOptions = {}) {
    this.#isCopied = toFilter(options.keys);
  }

  onStart(span: Span, parentContext: Context): void {
    const baggage = propagation.getBaggage(parentContext);
    if (!baggage) return;
    for (const [key, entry] of baggage.getAllEntries()) {
      if (!this.#isCopied(key)) continue;
      if (key === TAGS_BAGGAGE_KEY) span.setAttribute(ATTR.tags, parseTags(entry.value));
      else span.setAttribute(key, entry.value);
    }
  }

  onEnd(_span: ReadableSpan): void {}

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/** Who and what a request is about; every span started inside carries it. */
export interface TRequestContext {
  userId?: string;
  sessionId?: string;
  /** Semantic tags such as `domain:hr`, added to the tags already in scope. */
  tags?: readonly string[];
  /** Feature flags as `feature_flag.<name>` attributes. */
  featureFlags?: Record<string, string | number | boolean>;
  /** Free-form string facts as `spanlens.metadata.<name>` attributes. */
  metadata?: Record<string, string | number | boolean>;
}

/** A context whose baggage carries `request` on top of what `parent` already had. */
export function contextWithRequest(request: TRequestContext, parent: Context = context.active()): Context {
  let baggage = propagation.getBaggage(parent) ?? propagation.createBaggage();
  if (request.userId !== undefined) baggage = baggage.setEntry(ATTR.userId, { value: request.userId });
  if (request.sessionId !== undefined) baggage = baggage.setEntry(ATTR.sessionId, { value: request.sessionId });
  if (request.tags && request.tags.length > 0) {
    const existing = parseTags(baggage.getEntry(TAGS_BAGGAGE_KEY)?.value ?? "");
    const tags = [...new Set([...existing, ...request.tags.map((tag) => tag.trim()).filter(Boolean)])];
    baggage = baggage.setEntry(TAGS_BAGGAGE_KEY, { value: tags.join(",") });
  }
  for (const [name, value] of Object.entries(request.featureFlags ?? {}))
    baggage = baggage.setEntry(`${FEATURE_FLAG_PREFIX}${name}`, { value: String(value) });
  for (const [name, value] of Object.entries(request.metadata ?? {}))
    baggage = baggage.setEntry(`${METADATA_PREFIX}${name}`, { value: String(value) });
  return propagation.setBaggage(parent, baggage);
}

/** Runs `fn` with `request` in baggage: every span it starts (here or in called code) carries it. */
export function withRequestContext<T>(request: TRequestContext, fn: () => T): T {
  return context.with(contextWithRequest(request), fn);
}

/** The request context in scope (what `withRequestContext` set, or baggage received from upstream). */
export function getRequestContext(active: Context = context.active()): TRequestContext {
  const baggage = propagation.getBaggage(active);
  if (!baggage) return {};
  const request: TRequestContext = {};
  const userId = baggage.getEntry(ATTR.userId)?.value;
  const sessionId = baggage.getEntry(ATTR.sessionId)?.value;
  const tags = baggage.getEntry(TAGS_BAGGAGE_KEY)?.value;
  if (userId !== undefined) request.userId = userId;
  if (sessionId !== undefined) request.sessionId = sessionId;
  if (tags !== undefined) request.tags = parseTags(tags);
  return request;
}
