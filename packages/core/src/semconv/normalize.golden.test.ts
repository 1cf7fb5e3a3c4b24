import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { TOtlpSpan } from "../otlp-types.js";
import { normalizeSpan } from "./normalize.js";
import type { TNormalizedSpan } from "./normalized-span.js";

const FIXTURES = join(import.meta.dirname, "__fixtures__");
const INPUT_SUFFIX = ".input.json";

function readJson(path: string): unknown {
  return JSON.parse(readFileSync(path, "utf8"));
}

/** Every `<convention>/<case>.input.json` with its `.expected.json` next to it. */
function listCases(): Array<{ convention: string; name: string; inputPath: string; expectedPath: string }> {
  return readdirSync(FIXTURES, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .flatMap(({ name: convention }) =>
      readdirSync(join(FIXTURES, convention))
        .filter((file) => file.endsWith(INPUT_SUFFIX))
        .map((file) => {
          const name = file.slice(0, -INPUT_SUFFIX.length);
          return {
            convention,
            name,
            inputPath: join(FIXTURES, convention, file),
            expectedPath: join(FIXTURES, convention, `${name}.expected.json`),
          };
        }),
    );
}

const cases = listCases();

describe("normalizeSpan golden corpus", () => {
  it("has a case for every convention folder", () => {
    expect(cases.length).toBeGreaterThanOrEqual(20);
  });

  // Expected files list the fields that matter for the case; each listed field must match exactly.
  it.each(cases)("$convention/$name", ({ inputPath, expectedPath }) => {
    const actual = normalizeSpan(readJson(inputPath) as TOtlpSpan);
    const expected = readJson(expectedPath) as Partial<TNormalizedSpan>;
    const picked = Object.fromEntries(
      Object.keys(expected).map((field) => [field, actual[field as keyof TNormalizedSpan]]),
    );
    expect(picked).toStrictEqual(expected);
  });
});
