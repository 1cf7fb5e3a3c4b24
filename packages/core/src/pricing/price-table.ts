/** Host families a price applies to; a model served elsewhere is not priced rather than priced wrong. */
export type TProviderFamily = "openai" | "azure" | "anthropic" | "bedrock" | "vertex" | "google" | "mistral" | "groq";

/** List prices in USD per 1M tokens for one model family. */
export interface TModelPrice {
  /** Canonical model id, for display and tests. */
  id: string;
  /** Regex source matched against the lower-cased model id with host prefixes removed. */
  pattern: string;
  providers: TProviderFamily[];
  /** True when the price is a host's (open-weight models): it needs a known provider to apply. */
  isHostPriced?: boolean;
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
  /** Defaults to the output price: every listed vendor bills reasoning as output. */
  reasoning?: number;
}

export interface TPriceTable {
  version: string;
  currency: "USD";
  /** Checked in order: put more specific patterns (`gpt-4o-mini`) before broader ones. */
  models: TModelPrice[];
}

export const PRICE_TABLE_VERSION = "2026-11-01";

const OPENAI: TProviderFamily[] = ["openai", "azure"];
const ANTHROPIC: TProviderFamily[] = ["anthropic", "bedrock", "vertex"];
const GOOGLE: TProviderFamily[] = ["google", "vertex"];
const DATED = "(?:-\\d{4}-\\d{2}-\\d{2})?$";

/** One row: `[input, output, cacheRead, cacheWrite]` USD per 1M tokens; reasoning bills as output. */
function price(
  id: string,
  pattern: string,
  providers: TProviderFamily[],
  [input, output, cacheRead, cacheWrite]: [number, number, number, number],
  options: Pick<TModelPrice, "isHostPriced"> = {},
): TModelPrice {
  return { id, pattern, providers, input, output, cacheRead, cacheWrite, ...options };
}

/**
 * Public list prices (standard tier, short context). OpenAI does not charge for cache
 * writes, so its cacheWrite equals input; Anthropic's is the 5-minute write rate.
 */
export const PRICE_TABLE: TPriceTable = {
  version: PRICE_TABLE_VERSION,
  currency: "USD",
  models: [
    price("gpt-4o-mini", `^gpt-4o-mini${DATED}`, OPENAI, [0.15, 0.6, 0.075, 0.15]),
    price("gpt-4o", `^gpt-4o${DATED}`, OPENAI, [2.5, 10, 1.25, 2.5]),
    price("gpt-4.1-nano", `^gpt-4\\.1-nano${DATED}`, OPENAI, [0.1, 0.4, 0.025, 0.1]),
    price("gpt-4.1-mini", `^gpt-4\\.1-mini${DATED}`, OPENAI, [0.4, 1.6, 0.1, 0.4]),
    price("gpt-4.1", `^gpt-4\\.1${DATED}`, OPENAI, [2, 8, 0.5, 2]),
    price("o4-mini", `^o4-mini${DATED}`, OPENAI, [1.1, 4.4, 0.275, 1.1]),
    price("o3-mini", `^o3-mini${DATED}`, OPENAI, [1.1, 4.4, 0.55, 1.1]),
    price("o3", `^o3${DATED}`, OPENAI, [2, 8, 0.5, 2]),
    price("gpt-5-nano", `^gpt-5-nano${DATED}`, OPENAI, [0.05, 0.4, 0.005, 0.05]),
    price("gpt-5-mini", `^gpt-5-mini${DATED}`, OPENAI, [0.25, 2, 0.025, 0.25]),
    price("gpt-5", `^gpt-5(?:\\.\\d+)?(?:-chat-latest)?${DATED}`, OPENAI, [1.25, 10, 0.125, 1.25]),
    price("text-embedding-3-small", "^text-embedding-3-small$", OPENAI, [0.02, 0, 0.02, 0.02]),
    price("text-embedding-3-large", "^text-embedding-3-large$", OPENAI, [0.13, 0, 0.13, 0.13]),
    price("claude-opus-4-5", "^claude-opus-4-5", ANTHROPIC, [5, 25, 0.5, 6.25]),
    price("claude-opus-4", "^claude-(?:opus-4|4-opus)", ANTHROPIC, [15, 75, 1.5, 18.75]),
    price("claude-sonnet-4", "^claude-(?:sonnet-4|4-sonnet)", ANTHROPIC, [3, 15, 0.3, 3.75]),
    price("claude-3-7-sonnet", "^claude-3-7-sonnet", ANTHROPIC, [3, 15, 0.3, 3.75]),
    price("claude-3-5-sonnet", "^claude-3-5-sonnet", ANTHROPIC, [3, 15, 0.3, 3.75]),
    price("claude-haiku-4-5", "^claude-haiku-4-5", ANTHROPIC, [1, 5, 0.1, 1.25]),
    price("claude-3-5-haiku", "^claude-3-5-haiku", ANTHROPIC, [0.8, 4, 0.08, 1]),
    price("gemini-2.5-pro", "^gemini-2\\.5-pro", GOOGLE, [1.25, 10, 0.31, 1.25]),
    price("gemini-2.5-flash-lite", "^gemini-2\\.5-flash-lite", GOOGLE, [0.1, 0.4, 0.025, 0.1]),
    price("gemini-2.5-flash", "^gemini-2\\.5-flash", GOOGLE, [0.3, 2.5, 0.075, 0.3]),
    price("gemini-2.0-flash-lite", "^gemini-2\\.0-flash-lite", GOOGLE, [0.075, 0.3, 0.075, 0.075]),
    price("gemini-2.0-flash", "^gemini-2\\.0-flash", GOOGLE, [0.1, 0.4, 0.025, 0.1]),
    price("mistral-large", "^mistral-large", ["mistral"], [2, 6, 2, 2]),
    price("mistral-medium", "^mistral-medium", ["mistral"], [0.4, 2, 0.4, 0.4]),
    price("mistral-small", "^mistral-small", ["mistral"], [0.1, 0.3, 0.1, 0.1]),
    price("llama-3.3-70b-versatile", "^llama-3\\.3-70b-versatile$", ["groq"], [0.59, 0.79, 0.59, 0.59], {
      isHostPriced: true,
    }),
    price("llama-3.1-8b-instant", "^llama-3\\.1-8b-instant$", ["groq"], [0.05, 0.08, 0.05, 0.05], {
      isHostPriced: true,
    }),
  ],
};
