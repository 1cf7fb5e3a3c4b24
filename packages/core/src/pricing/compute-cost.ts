import type { TNormalizedCost, TUsageBuckets } from "../semconv/normalized-span.js";
import { PRICE_TABLE, type TModelPrice, type TPriceTable, type TProviderFamily } from "./price-table.js";

const PROVIDER_FAMILIES: ReadonlyArray<[RegExp, TProviderFamily]> = [
  [/azure/, "azure"],
  [/bedrock|^aws/, "bedrock"],
  [/vertex/, "vertex"],
  [/^openai/, "openai"],
  [/^anthropic/, "anthropic"],
  [/^(?:gcp\.gemini|gcp\.gen_ai|google|gemini)/, "google"],
  [/^mistral/, "mistral"],
  [/^groq/, "groq"],
];

/** Provider names differ per convention (`openai`, `openai.chat`, `gcp.vertex_ai`, `amazon-bedrock`…). */
export function toProviderFamily(provider: string | null | undefined): TProviderFamily | "other" | null {
  if (!provider) return null;
  const lower = provider.toLowerCase();
  return PROVIDER_FAMILIES.find(([pattern]) => pattern.test(lower))?.[1] ?? "other";
}

/** Drops routing prefixes (`openai/`, `models/`, Bedrock's `us.anthropic.`) so one pattern covers every host. */
export function toPricingModelId(model: string): string {
  const lastSegment = model.toLowerCase().split("/").pop() ?? "";
  return lastSegment.replace(/^(?:[a-z]{2,4}\.)?anthropic\./, "");
}

const compiledPatterns = new WeakMap<TModelPrice, RegExp>();

function patternOf(price: TModelPrice): RegExp {
  const cached = compiledPatterns.get(price);
  if (cached) return cached;
  const compiled = new RegExp(price.pattern);
  compiledPatterns.set(price, compiled);
  return compiled;
}

/** The first price whose pattern matches and whose hosts include the provider (when the provider is known). */
export function findModelPrice(model: string, provider: string | null, table: TPriceTable = PRICE_TABLE) {
  const modelId = toPricingModelId(model);
  const family = toProviderFamily(provider);
  return (
    table.models.find((price) => {
      if (!patternOf(price).test(modelId)) return false;
      if (family === null) return price.isHostPriced !== true;
      return family !== "other" && price.providers.includes(family);
    }) ?? null
  );
}

const PER_TOKEN = 1_000_000;

// Twelve decimals keep sub-micro-dollar precision while hiding binary-float noise.
function roundUsd(amount: number): number {
  return Math.round(amount * 1e12) / 1e12;
}

export const NO_COST: TNormalizedCost = {
  input: null,
  output: null,
  cacheRead: null,
  cacheWrite: null,
  reasoning: null,
  total: null,
  currency: "USD",
  source: "none",
};

/** Prices disjoint usage buckets with the table; `source: "none"` when the model has no price. */
export function computeCost(
  model: string | null,
  buckets: TUsageBuckets,
  table: TPriceTable = PRICE_TABLE,
  provider: string | null = null,
): TNormalizedCost {
  const price = model === null ? null : findModelPrice(model, provider, table);
  if (price === null) return { ...NO_COST };
  const input = roundUsd((buckets.uncachedInput * price.input) / PER_TOKEN);
  const cacheRead = roundUsd((buckets.cacheRead * price.cacheRead) / PER_TOKEN);
  const cacheWrite = roundUsd((buckets.cacheWrite * price.cacheWrite) / PER_TOKEN);
  const output = roundUsd((buckets.output * price.output) / PER_TOKEN);
  const reasoning = roundUsd((buckets.reasoning * (price.reasoning ?? price.output)) / PER_TOKEN);
  return {
    input,
    output,
    cacheRead,
    cacheWrite,
    reasoning,
    total: roundUsd(input + cacheRead + cacheWrite + output + reasoning),
    currency: "USD",
    source: "computed",
    priceVersion: table.version,
  };
}
