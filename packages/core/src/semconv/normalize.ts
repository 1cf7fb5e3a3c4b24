import type { TOtlpSpan } from "../otlp-types.js";
import { computeCost, NO_COST } from "../pricing/compute-cost.js";
import { PRICE_TABLE, type TPriceTable } from "../pricing/price-table.js";
import { readOpenInferenceScores, type TScoreTarget } from "./conventions/openinference-annotations.js";
import { detectConventions } from "./detect.js";
import { FIELD_KEYS } from "./field-keys.js";
import { readContext } from "./fields/context.js";
import { readReportedCost } from "./fields/cost.js";
import { readDocuments } from "./fields/documents.js";
import { resolveKind } from "./fields/kind.js";
import { readInputMessages, readOutputMessages, readToolCalls } from "./fields/messages.js";
import { readModelParameters, readPrompt } from "./fields/parameters.js";
import { readProvider } from "./fields/provider.js";
import { resourceAttributesOf } from "./fields/resource.js";
import { readStatus, STATUS_CODES, toEventRecords, toLinkRecords } from "./fields/status.js";
import { readUsage } from "./fields/usage.js";
import { toText } from "./internal/any-value.js";
import { AttributeReader } from "./internal/attribute-reader.js";
import { durationMillis, nanosToMillis } from "./internal/time.js";
import type {
  TNormalizedCost,
  TNormalizedSpan,
  TNormalizedUsage,
  TOtelSpanKind,
  TSpanKind,
} from "./normalized-span.js";

export interface TNormalizeOptions {
  priceTable?: TPriceTable;
}

const OTEL_SPAN_KINDS: TOtelSpanKind[] = ["unspecified", "internal", "server", "client", "producer", "consumer"];

/** A carrier span (no meaning of its own, exactly one link) holds annotations for the span it links to. */
function scoreTarget(span: TOtlpSpan, kind: TSpanKind): TScoreTarget {
  const [link] = span.links;
  const isCarrier = span.links.length === 1 && link !== undefined && (kind === "span" || kind === "evaluator");
  return isCarrier ? { traceId: link.traceId, spanId: link.spanId } : { traceId: span.traceId, spanId: span.spanId };
}

function resolveCost(
  reader: AttributeReader,
  usage: TNormalizedUsage | null,
  model: string | null,
  provider: string | null,
  table: TPriceTable,
): TNormalizedCost {
  const reported = readReportedCost(reader);
  if (reported !== null) return reported;
  return usage === null ? { ...NO_COST } : computeCost(model, usage, table, provider);
}

function toStringAttributes(values: TOtlpSpan["attributes"]): Record<string, string> {
  const record: Record<string, string> = {};
  for (const [key, value] of Object.entries(values)) {
    const text = toText(value);
    if (text !== null) record[key] = text;
  }
  return record;
}

/**
 * Maps one decoded OTLP span, whatever mix of conventions it carries, into the normalized
 * model. Each field takes the first source present in SEMCONV.md's order; attributes no
 * mapping used are kept in `attributes`.
 */
export function normalizeSpan(span: TOtlpSpan, options: TNormalizeOptions = {}): TNormalizedSpan {
  const reader = new AttributeReader(span.attributes);
  const conventions = detectConventions(reader);
  const declaredKind = resolveKind(reader);
  const name = span.name.trim() !== "" ? span.name : (reader.takeText(FIELD_KEYS.nameFallback) ?? "");
  const provider = readProvider(reader);
  const model = reader.takeText(FIELD_KEYS.model);
  const modelParameters = readModelParameters(reader);
  const inputMessages = readInputMessages(reader);
  const outputMessages = readOutputMessages(reader);
  const input = reader.takeText(FIELD_KEYS.input);
  const output = reader.takeText(FIELD_KEYS.output);
  const toolCalls = readToolCalls(reader, { kind: declaredKind, name, input, outputMessages });
  const documents = readDocuments(reader, { kind: declaredKind, input, events: span.events });
  // Vector-store spans (OpenLLMetry `db.*`) declare no kind, but returning documents is what a retrieval is.
  const kind = declaredKind === "span" && documents.retrievedDocuments.length > 0 ? "retrieval" : declaredKind;
  const prompt = readPrompt(reader);
  const usage = readUsage(reader, kind);
  const cost = resolveCost(reader, usage, model, provider, options.priceTable ?? PRICE_TABLE);
  const traceName = reader.takeText(FIELD_KEYS.traceName);
  const context = readContext(reader, span.resource);
  const status = readStatus(reader, span);
  const scores = readOpenInferenceScores(reader, scoreTarget(span, kind));
  return {
    traceId: span.traceId,
    spanId: span.spanId,
    parentSpanId: span.parentSpanId,
    name,
    kind,
    otelKind: OTEL_SPAN_KINDS[span.kind] ?? "unspecified",
    traceName,
    startTime: nanosToMillis(span.startTimeUnixNano),
    endTime: nanosToMillis(span.endTimeUnixNano),
    durationMs: durationMillis(span.startTimeUnixNano, span.endTimeUnixNano),
    scopeName: span.scope.name,
    scopeVersion: span.scope.version,
    provider,
    model,
    modelParameters,
    input,
    output,
    inputMessages,
    outputMessages,
    toolCalls,
    // Field by field rather than spread: spreading three objects into this one took ~5% of
    // normalizing a span.
    retrievalQuery: documents.retrievalQuery,
    retrievedDocuments: documents.retrievedDocuments,
    rerankedDocuments: documents.rerankedDocuments,
    prompt,
    usage,
    cost,
    sessionId: context.sessionId,
    userId: context.userId,
    tags: context.tags,
    metadata: context.metadata,
    environment: context.environment,
    release: context.release,
    serviceName: context.serviceName,
    statusCode: status.statusCode,
    statusMessage: status.statusMessage,
    error: status.error,
    events: toEventRecords(span.events),
    scores,
    links: toLinkRecords(span.links),
    attributes: reader.leftovers(),
    resourceAttributes: resourceAttributesOf(span.resource),
    conventions,
  };
}

/** Set on a span kept as sent because normalizing it failed: what failed. */
export const NORMALIZATION_ERROR_ATTRIBUTE = "spanlens.normalization_error";

/**
 * {@link normalizeSpan}, or, when it throws on a shape no mapping expected, the span as sent:
 * ids, name, times, OTel kind, status, events and links, every attribute kept as text, and
 * {@link NORMALIZATION_ERROR_ATTRIBUTE} naming the failure, which `onKept` also hears. A request is stored whole or
 * retried whole, so one span's surprise would otherwise fail every span sent with it, on every
 * attempt, until the job ran out of them.
 */
export function normalizeSpanOrKeep(
  span: TOtlpSpan,
  options: TNormalizeOptions & { onKept?: (message: string) => void } = {},
): TNormalizedSpan {
  try {
    return normalizeSpan(span, options);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    options.onKept?.(message);
    return keptAsSent(span, message);
  }
}

function keptAsSent(span: TOtlpSpan, message: string): TNormalizedSpan {
  const attempt = <T>(read: () => T, fallback: T): T => {
    try {
      return read();
    } catch {
      return fallback;
    }
  };
  return {
    traceId: span.traceId,
    spanId: span.spanId,
    parentSpanId: span.parentSpanId,
    name: span.name,
    kind: "span",
    otelKind: OTEL_SPAN_KINDS[span.kind] ?? "unspecified",
    traceName: null,
    startTime: attempt(() => nanosToMillis(span.startTimeUnixNano), 0),
    endTime: attempt(() => nanosToMillis(span.endTimeUnixNano), 0),
    durationMs: attempt(() => durationMillis(span.startTimeUnixNano, span.endTimeUnixNano), 0),
    scopeName: span.scope.name,
    scopeVersion: span.scope.version,
    provider: null,
    model: null,
    modelParameters: {},
    input: null,
    output: null,
    inputMessages: [],
    outputMessages: [],
    toolCalls: [],
    retrievalQuery: null,
    retrievedDocuments: [],
    rerankedDocuments: [],
    prompt: null,
    usage: null,
    cost: { ...NO_COST },
    sessionId: null,
    userId: null,
    tags: [],
    metadata: {},
    environment: null,
    release: null,
    serviceName: attempt(() => toText(span.resource["service.name"]), null),
    statusCode: STATUS_CODES[span.status.code] ?? "unset",
    statusMessage: span.status.message || null,
    error: null,
    events: attempt(() => toEventRecords(span.events), []),
    scores: [],
    links: attempt(() => toLinkRecords(span.links), []),
    attributes: {
      ...attempt(() => toStringAttributes(span.attributes), {}),
      [NORMALIZATION_ERROR_ATTRIBUTE]: message,
    },
    resourceAttributes: attempt(() => resourceAttributesOf(span.resource), {}),
    conventions: [],
  };
}
