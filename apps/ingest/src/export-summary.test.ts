import { randomBytes } from "node:crypto";
import { zstdDecompressSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { generationSpan, otlpJsonExport } from "../test/otlp-json.js";
import { fromThreadResult, summarizeForThread, type TSummarizeTask, zstdIfSmaller } from "./export-summary.js";

const exportOf = (traceId: string, prompt: string) => Buffer.from(otlpJsonExport(generationSpan(traceId, prompt)));
/** As the decoding thread summarizes a task, unwrapped. */
const summarizeExport = (task: TSummarizeTask) => fromThreadResult(summarizeForThread(task));
const TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
const prose = "The retriever returned three chunks about parental leave. ".repeat(2_000);

describe("summarizeForThread", () => {
  it("compresses the body with zstd when asked, to bytes that inflate to the body", () => {
    const body = exportOf(TRACE_ID, prose);
    const summary = summarizeExport({ signal: "traces", encoding: "json", body, compress: true });
    expect(summary.accepted).toBe(1);
    const zstdBody = summary.zstdBody;
    if (!zstdBody) throw new Error("not compressed");
    expect(zstdBody.length).toBeLessThan(body.length / 10);
    expect(Buffer.from(zstdDecompressSync(zstdBody)).equals(body)).toBe(true);
  });

  it("keeps the body as it is when not asked, or when nothing is taken", () => {
    const body = exportOf(TRACE_ID, prose);
    expect(summarizeExport({ signal: "traces", encoding: "json", body }).zstdBody).toBeUndefined();
    const rejected = summarizeExport({
      signal: "traces",
      encoding: "json",
      body: exportOf("0".repeat(32), prose),
      compress: true,
    });
    expect(rejected.accepted).toBe(0);
    expect(rejected.zstdBody).toBeUndefined();
  });

  it("keeps bytes that compress by less than a tenth as they are", () => {
    expect(zstdIfSmaller(randomBytes(100_000))).toBeUndefined();
    // Base64 of random bytes: six bits a character, a quarter saved.
    const base64 = Buffer.from(randomBytes(100_000).toString("base64"));
    expect(zstdIfSmaller(base64)?.length).toBeLessThan(base64.length * 0.9);
  });
});
