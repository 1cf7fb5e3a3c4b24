import type { TPolicyDocument } from "./policies.js";
import { splitSentences } from "./text.js";

export interface TChunk {
  id: string;
  documentId: string;
  content: string;
  metadata: { title: string; domain: string; version: string; updated: string; isCurrent: boolean };
}

/** Paragraphs, split further on sentence boundaries when longer than `maxChars`. */
export function chunkDocument(document: TPolicyDocument, maxChars = 320): TChunk[] {
  const pieces: string[] = [];
  for (const paragraph of document.text.split(/\n\s*\n/)) {
    let current = "";
    for (const sentence of splitSentences(paragraph)) {
      if (current && current.length + sentence.length + 1 > maxChars) {
        pieces.push(current);
        current = sentence;
      } else {
        current = current ? `${current} ${sentence}` : sentence;
      }
    }
    if (current) pieces.push(current);
  }
  return pieces.map((content, index) => ({
    id: `${document.id}#${index}`,
    documentId: document.id,
    content,
    metadata: {
      title: document.title,
      domain: document.domain,
      version: document.version,
      updated: document.updated,
      isCurrent: document.isCurrent,
    },
  }));
}
