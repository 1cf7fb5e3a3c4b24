/** OpenInference annotations (`annotations.N.annotation.*`, also `trace.`/`session.` prefixed) as scores. */

import { toNonEmptyText, toNumber } from "../internal/any-value.js";
import type { AttributeReader } from "../internal/attribute-reader.js";
import { readIndexed } from "../internal/indexed.js";
import type { TNormalizedScore, TScoreScope } from "../normalized-span.js";

const ANNOTATION_PREFIXES: ReadonlyArray<[string, TScoreScope]> = [
  ["annotations", "span"],
  ["trace.annotations", "trace"],
  ["session.annotations", "session"],
];

/** Where the annotations point: the span itself, or the one span a carrier span links to. */
export interface TScoreTarget {
  traceId: string;
  spanId: string;
}

export function readOpenInferenceScores(reader: AttributeReader, target: TScoreTarget): TNormalizedScore[] {
  const scores: TNormalizedScore[] = [];
  for (const [prefix, scope] of ANNOTATION_PREFIXES) {
    const groups = readIndexed(reader, prefix);
    for (const { fields, keys } of groups) {
      const name = toNonEmptyText(fields["annotation.name"]);
      if (name === null) continue;
      reader.consume(...keys);
      scores.push({
        traceId: target.traceId,
        spanId: scope === "span" ? target.spanId : null,
        name,
        value: toNumber(fields["annotation.score"]),
        label: toNonEmptyText(fields["annotation.label"]),
        comment: toNonEmptyText(fields["annotation.explanation"]),
        scope,
        source: "openinference",
      });
    }
  }
  return scores;
}
