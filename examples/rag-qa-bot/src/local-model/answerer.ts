import { cosineSimilarity, hashEmbedding, splitSentences, tokenize } from "../text.js";

const CONTEXT_BLOCK = /^\[(\d+)\] (.+?) \(([^,]+), updated [^)]+\)\n([\s\S]*?)(?=\n\n\[\d+\] |\s*$)/gm;

export const NOT_FOUND_ANSWER = "I could not find this in the company policies.";

/**
 * An extractive "model": picks the context sentence closest to the question and cites its
 * document. It follows the prompt's contract (numbered context, then `Question:`), so the
 * same prompt works with a real model.
 */
export function answerFromPrompt(prompt: string): string {
  const questionMatch = /Question:\s*(.+)\s*$/s.exec(prompt);
  const question = questionMatch?.[1]?.trim() ?? "";
  const contextText = prompt.slice(0, questionMatch?.index ?? prompt.length);
  const questionVector = hashEmbedding(question);
  const questionTokens = new Set(tokenize(question));
  let best: { sentence: string; title: string; score: number } | null = null;
  for (const match of contextText.matchAll(CONTEXT_BLOCK)) {
    const [, rank, title = "", , body = ""] = match;
    for (const sentence of splitSentences(body)) {
      const overlap = tokenize(sentence).filter((token) => questionTokens.has(token)).length;
      if (overlap === 0) continue;
      // Earlier context blocks were ranked higher by retrieval: a small tie-breaker.
      const score = cosineSimilarity(questionVector, hashEmbedding(sentence)) + overlap * 0.05 - Number(rank) * 0.01;
      if (!best || score > best.score) best = { sentence, title, score };
    }
  }
  return best ? `${best.sentence} (Source: ${best.title})` : NOT_FOUND_ANSWER;
}
