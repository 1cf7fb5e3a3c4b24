import type { TChunk } from "./chunking.js";

/** The answer prompt, versioned so traces show which wording produced an answer. */
export const ANSWER_PROMPT = {
  name: "policy-answer",
  version: "3",
  system:
    "You are the Northwind Labs policy assistant. Answer only from the numbered context. Cite the document title. If the context does not contain the answer, say that you could not find it.",
  template: "Context:\n{{context}}\n\nQuestion: {{question}}",
} as const;

export function renderContext(chunks: readonly TChunk[]): string {
  return chunks
    .map(
      (chunk, index) =>
        `[${index + 1}] ${chunk.metadata.title} (${chunk.id}, updated ${chunk.metadata.updated})\n${chunk.content}`,
    )
    .join("\n\n");
}

export function renderPrompt(variables: { context: string; question: string }): string {
  return ANSWER_PROMPT.template.replace("{{context}}", variables.context).replace("{{question}}", variables.question);
}
