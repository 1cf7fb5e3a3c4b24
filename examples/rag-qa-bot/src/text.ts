/**
 * Tokenizing and hashing embeddings for the offline model. A bag of words and word pairs
 * hashed into a fixed vector (the "hashing trick"): deterministic, no weights to download,
 * and good enough to make retrieval scores meaningful on a small document set.
 */
const STOPWORDS = new Set(
  "a an and are as at be by can do does for from has have how i if in is it its my of on or our so the their them there this to up was we what when where which who why will with you your".split(
    " ",
  ),
);

export const EMBEDDING_DIMENSIONS = 1024;

/** Lowercase word stems without stopwords ("days" → "day", "working" → "work"). */
export function tokenize(text: string): string[] {
  return (text.toLowerCase().match(/[a-z0-9]+/g) ?? [])
    .filter((word) => !STOPWORDS.has(word))
    .map((word) => word.replace(/(ing|ed|es|s)$/, "") || word);
}

export function countTokens(text: string): number {
  return text.match(/\S+/g)?.length ?? 0;
}

/** FNV-1a: a tiny, stable string hash. */
function hash(text: string): number {
  let value = 0x811c9dc5;
  for (let index = 0; index < text.length; index += 1) {
    value ^= text.charCodeAt(index);
    value = Math.imul(value, 0x01000193);
  }
  return value >>> 0;
}

export function hashEmbedding(text: string): number[] {
  const vector = new Array<number>(EMBEDDING_DIMENSIONS).fill(0);
  const tokens = tokenize(text);
  const features = [...tokens, ...tokens.slice(1).map((token, index) => `${tokens[index]} ${token}`)];
  for (const feature of features) {
    const value = hash(feature);
    vector[value % EMBEDDING_DIMENSIONS] = (vector[value % EMBEDDING_DIMENSIONS] ?? 0) + (value & 0x100 ? 1 : -1);
  }
  const norm = Math.hypot(...vector);
  return norm === 0 ? vector : vector.map((component) => component / norm);
}

export function cosineSimilarity(a: readonly number[], b: readonly number[]): number {
  let dot = 0;
  let normA = 0;
  let normB = 0;
  for (let index = 0; index < a.length; index += 1) {
    const x = a[index] ?? 0;
    const y = b[index] ?? 0;
    dot += x * y;
    normA += x * x;
    normB += y * y;
  }
  return normA === 0 || normB === 0 ? 0 : dot / Math.sqrt(normA * normB);
}

export function splitSentences(text: string): string[] {
  return text
    .split(/(?<=[.!?])\s+/)
    .map((sentence) => sentence.trim())
    .filter(Boolean);
}
