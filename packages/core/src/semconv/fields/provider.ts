import { FIELD_KEYS } from "../field-keys.js";
import type { AttributeReader } from "../internal/attribute-reader.js";

/**
 * The Vercel AI SDK's provider ids name the API surface too (`openai.chat`,
 * `openai.responses`, `anthropic.messages`, `mistral.embedding`), while GenAI and
 * OpenInference send the bare provider (`openai`). One id per provider keeps filters,
 * group-bys and pricing from splitting; the raw attribute stays on the span.
 */
const API_SURFACE_SUFFIX =
  /\.(?:chat|responses|completion|completions|embedding|embeddings|messages|image|transcription|speech)$/;

export function canonicalProvider(provider: string): string {
  const trimmed = provider.trim().toLowerCase();
  const bare = trimmed.replace(API_SURFACE_SUFFIX, "");
  return bare === "" ? trimmed : bare;
}

export function readProvider(reader: AttributeReader): string | null {
  const provider = reader.takeText(FIELD_KEYS.provider);
  return provider === null ? null : canonicalProvider(provider);
}
