/**
 * Decoded OTLP records: what `@spanlens/otlp` produces from protobuf or JSON bodies and
 * what semantic normalization consumes. Ids are lowercase hex; times stay as decimal
 * nanosecond strings (they do not fit a double); int64 attribute values become numbers
 * when they are safe integers and decimal strings otherwise.
 */
export type TAnyValue = string | number | boolean | null | Uint8Array | TAnyValue[] | { [key: string]: TAnyValue };

export type TOtlpAttributes = Record<string, TAnyValue>;

export interface TOtlpScope {
  name: string;
  version: string;
  attributes: TOtlpAttributes;
}

export interface TOtlpSpanEvent {
  name: string;
  timeUnixNano: string;
  attributes: TOtlpAttributes;
}

export interface TOtlpSpanLink {
  traceId: string;
  spanId: string;
  attributes: TOtlpAttributes;
}

/** OTLP status codes: 0 unset, 1 ok, 2 error. */
export type TOtlpStatusCode = 0 | 1 | 2;

export interface TOtlpSpan {
  traceId: string;
  spanId: string;
  /** null for a root span. */
  parentSpanId: string | null;
  name: string;
  /** OTLP SpanKind: 0 unspecified, 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: TOtlpAttributes;
  events: TOtlpSpanEvent[];
  links: TOtlpSpanLink[];
  status: { code: TOtlpStatusCode; message: string };
  /** Resource attributes, shared by reference between the spans of one resource. */
  resource: TOtlpAttributes;
  scope: TOtlpScope;
}

export interface TOtlpLogRecord {
  timeUnixNano: string;
  observedTimeUnixNano: string;
  severityNumber: number;
  severityText: string;
  eventName: string;
  body: TAnyValue;
  attributes: TOtlpAttributes;
  traceId: string | null;
  spanId: string | null;
  resource: TOtlpAttributes;
  scope: TOtlpScope;
}
