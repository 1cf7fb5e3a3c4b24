import { JsonTraceSerializer, ProtobufLogsSerializer, ProtobufTraceSerializer } from "@opentelemetry/otlp-transformer";
import { AppError } from "@spanlens/core";
import { describe, expect, it } from "vitest";
import { createRealLogRecords, createRealSpans } from "../test/real-payloads.js";
import { decodeLogs, decodeTraces, type TOtlpContentType } from "./index.js";

const CASES = 2_000;

/** mulberry32: tiny seeded PRNG so a failing case can be replayed from its seed and index. */
function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const HEX_ID = /^[0-9a-f]+$/;
const DECIMAL = /^\d+$/;

/** Every call either returns well-formed records or throws a 400 AppError; anything else fails the case. */
function expectDecodeOrBadRequest(body: Uint8Array, contentType: TOtlpContentType, label: string): void {
  for (const decode of [decodeTraces, decodeLogs]) {
    let result: ReturnType<typeof decodeTraces> | ReturnType<typeof decodeLogs>;
    try {
      result = decode(body, contentType);
    } catch (error) {
      if (!(error instanceof AppError) || error.status !== 400) {
        throw new Error(`${label} (${decode.name}, ${contentType}) threw ${String(error)}`);
      }
      continue;
    }
    const records = "spans" in result ? result.spans : result.logRecords;
    for (const record of records) {
      if ("spanId" in record && "startTimeUnixNano" in record) {
        expect(record.traceId, label).toMatch(HEX_ID);
        expect(record.traceId, label).toHaveLength(32);
        expect(record.spanId, label).toHaveLength(16);
        expect(record.startTimeUnixNano, label).toMatch(DECIMAL);
      }
    }
    expect(result.rejected.count, label).toBeGreaterThanOrEqual(0);
  }
}

function requireBody(body: Uint8Array | undefined): Uint8Array {
  if (!body) throw new Error("serializer produced no body");
  return body;
}

const protobufTraces = requireBody(ProtobufTraceSerializer.serializeRequest(createRealSpans()));
const protobufLogs = requireBody(ProtobufLogsSerializer.serializeRequest(createRealLogRecords()));
const jsonTraces: unknown = JSON.parse(
  new TextDecoder().decode(requireBody(JsonTraceSerializer.serializeRequest(createRealSpans()))),
);

const REPLACEMENTS: unknown[] = [null, 0, -1, 1.5, 2 ** 64, "", "x", "-1", "NaN", true, [], {}, [null], { values: 1 }];

/** Replaces one random node of a JSON tree with a hostile value. */
function mutateJson(value: unknown, random: () => number): unknown {
  const copy: unknown = structuredClone(value);
  let node: unknown = copy;
  for (let depth = 0; depth < 12; depth++) {
    if (typeof node !== "object" || node === null) break;
    const container = node as Record<string, unknown>;
    const keys = Object.keys(container);
    const key = keys[Math.floor(random() * keys.length)];
    if (key === undefined) break;
    if (random() < 0.3 || typeof container[key] !== "object" || container[key] === null) {
      container[key] = REPLACEMENTS[Math.floor(random() * REPLACEMENTS.length)];
      break;
    }
    node = container[key];
  }
  return copy;
}

describe("decoding never fails with anything but a 400", () => {
  it(`survives ${CASES} truncations of real protobuf bodies`, () => {
    const random = createRandom(1);
    for (let i = 0; i < CASES; i++) {
      const source = i % 2 === 0 ? protobufTraces : protobufLogs;
      const length = Math.floor(random() * source.length);
      expectDecodeOrBadRequest(source.subarray(0, length), "protobuf", `truncation seed=1 i=${i} length=${length}`);
    }
  });

  it(`survives ${CASES} byte mutations of real protobuf bodies`, () => {
    const random = createRandom(2);
    for (let i = 0; i < CASES; i++) {
      const body = Uint8Array.from(i % 2 === 0 ? protobufTraces : protobufLogs);
      const flips = 1 + Math.floor(random() * 4);
      for (let f = 0; f < flips; f++) body[Math.floor(random() * body.length)] = Math.floor(random() * 256);
      expectDecodeOrBadRequest(body, "protobuf", `mutation seed=2 i=${i}`);
    }
  });

  it(`survives ${CASES} random byte strings in both encodings`, () => {
    const random = createRandom(3);
    for (let i = 0; i < CASES; i++) {
      const body = new Uint8Array(Math.floor(random() * 300));
      for (let b = 0; b < body.length; b++) body[b] = Math.floor(random() * 256);
      expectDecodeOrBadRequest(body, "protobuf", `random seed=3 i=${i}`);
      expectDecodeOrBadRequest(body, "json", `random seed=3 i=${i}`);
    }
  });

  it(`survives ${CASES} JSON tree and text mutations`, () => {
    const random = createRandom(4);
    const encoder = new TextEncoder();
    for (let i = 0; i < CASES; i++) {
      let text = JSON.stringify(mutateJson(jsonTraces, random));
      if (i % 4 === 3) text = text.slice(0, Math.floor(random() * text.length));
      expectDecodeOrBadRequest(encoder.encode(text), "json", `json seed=4 i=${i}`);
    }
  });
});
