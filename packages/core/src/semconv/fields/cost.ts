import { readDetailBuckets } from "../conventions/langfuse.js";
import { FIELD_KEYS } from "../field-keys.js";
import type { AttributeReader } from "../internal/attribute-reader.js";
import type { TNormalizedCost } from "../normalized-span.js";

function sumOrNull(amounts: Array<number | null>): number | null {
  const known = amounts.filter((amount): amount is number => amount !== null);
  return known.length === 0 ? null : known.reduce((sum, amount) => sum + amount, 0);
}

function reportedCost(parts: Omit<TNormalizedCost, "currency" | "source">): TNormalizedCost {
  const total =
    parts.total ?? sumOrNull([parts.input, parts.output, parts.cacheRead, parts.cacheWrite, parts.reasoning]);
  return { ...parts, total, currency: "USD", source: "reported" };
}

function readAttributeCost(reader: AttributeReader): TNormalizedCost | null {
  const keys = FIELD_KEYS.reportedCost;
  const input = reader.takeNumber([keys.input]);
  const output = reader.takeNumber([keys.output]);
  const total = reader.takeNumber(keys.total);
  if (input === null && output === null && total === null) return null;
  return reportedCost({ input, output, cacheRead: null, cacheWrite: null, reasoning: null, total });
}

function readLangfuseCost(reader: AttributeReader): TNormalizedCost | null {
  const details = readDetailBuckets(reader, FIELD_KEYS.costDetails);
  if (details === null || Object.keys(details).length === 0) return null;
  return reportedCost({
    input: details.input ?? null,
    output: details.output ?? null,
    cacheRead: details.cacheRead ?? null,
    cacheWrite: details.cacheWrite ?? null,
    reasoning: details.reasoning ?? null,
    total: details.total ?? null,
  });
}

/** Cost the sender reported (it wins over the price table: it knows discounts and contracts); null if none. */
export function readReportedCost(reader: AttributeReader): TNormalizedCost | null {
  return readAttributeCost(reader) ?? readLangfuseCost(reader);
}
