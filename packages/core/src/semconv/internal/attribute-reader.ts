import type { TAnyValue, TOtlpAttributes } from "../../otlp-types.js";
import { toNonEmptyText, toNumber, toText } from "./any-value.js";

/**
 * Reads a span's attributes while recording which keys a mapping used, so that every
 * attribute no mapping consumed can be kept verbatim. Only the winning source of a field
 * is consumed: a losing duplicate (say `gen_ai.request.model` next to the response model)
 * stays in the leftovers rather than being silently dropped.
 */
export class AttributeReader {
  /**
   * The attributes with a value, in the order the span sent them. A Map rather than the
   * decoded object: the conventions look up about a hundred keys per span, nearly all absent,
   * and an object's lookups are slower, as each span's keys give it a shape of its own
   * (normalizing took about 9% less; docs/benchmarks.md, twenty-eighth session). Only own keys
   * count: a key such as `constructor` is never read off the prototype.
   */
  readonly #values = new Map<string, TAnyValue>();
  readonly #consumed = new Set<string>();
  /**
   * The keys with a value, listed once: a span's attributes never change while it is read,
   * and the conventions ask for them by prefix several times a span (about a tenth of the
   * time normalizing took, listed again each time).
   */
  #keys: readonly string[] | null = null;

  constructor(values: TOtlpAttributes) {
    for (const key of Object.keys(values)) {
      const value = values[key];
      if (value !== null && value !== undefined) this.#values.set(key, value);
    }
  }

  /** The value of a key without consuming it; null values count as absent. */
  get(key: string): TAnyValue | undefined {
    return this.#values.get(key);
  }

  has(key: string): boolean {
    return this.#values.has(key);
  }

  keys(): readonly string[] {
    this.#keys ??= [...this.#values.keys()];
    return this.#keys;
  }

  keysWithPrefix(prefix: string): string[] {
    return this.keys().filter((key) => key.startsWith(prefix));
  }

  consume(...keys: string[]): void {
    for (const key of keys) this.#consumed.add(key);
  }

  isConsumed(key: string): boolean {
    return this.#consumed.has(key);
  }

  /** First key (left to right) whose value converts; that key is consumed. */
  takeFirst<T>(keys: readonly string[], convert: (value: TAnyValue) => T | null): T | null {
    for (const key of keys) {
      const value = this.get(key);
      if (value === undefined) continue;
      const converted = convert(value);
      if (converted === null) continue;
      this.consume(key);
      return converted;
    }
    return null;
  }

  takeText(keys: readonly string[]): string | null {
    return this.takeFirst(keys, toNonEmptyText);
  }

  takeNumber(keys: readonly string[]): number | null {
    return this.takeFirst(keys, toNumber);
  }

  /** Everything not consumed, with non-string values as JSON text. */
  leftovers(): Record<string, string> {
    const kept: Record<string, string> = {};
    for (const key of this.keys()) {
      if (this.#consumed.has(key)) continue;
      const text = toText(this.get(key));
      if (text !== null) kept[key] = text;
    }
    return kept;
  }
}
