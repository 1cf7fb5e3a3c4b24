import type { Reader } from "protobufjs/minimal.js";
import { badRequest } from "../rejections.js";

/** Reads a length prefix and returns where the embedded message ends. */
export function readMessageEnd(reader: Reader): number {
  const length = reader.uint32();
  const end = reader.pos + length;
  if (end > reader.len) throw badRequest(`truncated protobuf: message of ${length} bytes at offset ${reader.pos}`);
  return end;
}

// protobufjs bounds-checks against the whole buffer, not the enclosing message, so a field
// that straddles its parent's end is only caught here.
export function assertMessageEnd(reader: Reader, end: number): void {
  if (reader.pos !== end) throw badRequest(`malformed protobuf: field overruns its message ending at offset ${end}`);
}

/**
 * Skips a field this decoder does not read. A known field number arriving with an unexpected
 * wire type lands here too and is treated as unknown, as the reference implementations do.
 */
export function skipField(reader: Reader, tag: number): void {
  reader.skipType(tag & 7, 0, tag >>> 3);
}

const TWO_POW_32 = 4294967296;
// 2^53 / 2^32: below this high word, high * 2^32 + low is exact in a double.
const SAFE_HIGH_WORD = 0x200000;

/** fixed64 nanoseconds → decimal string without going through an imprecise double. */
export function readFixed64String(reader: Reader): string {
  const low = reader.fixed32();
  const high = reader.fixed32();
  if (high < SAFE_HIGH_WORD) return String(high * TWO_POW_32 + low);
  return ((BigInt(high) << 32n) | BigInt(low)).toString();
}

/** int64 varint → number when it is a safe integer, decimal string otherwise. */
export function readInt64(reader: Reader): number | string {
  // Most attribute ints (token counts, sizes) fit four varint bytes: skip the Long allocation.
  const { buf, pos } = reader;
  if (
    pos + 4 <= reader.len &&
    ((buf[pos] ?? 0) < 128 || (buf[pos + 1] ?? 0) < 128 || (buf[pos + 2] ?? 0) < 128 || (buf[pos + 3] ?? 0) < 128)
  ) {
    return reader.uint32();
  }
  const { low, high } = reader.int64();
  // high is the signed upper word; below 2^21 in magnitude the double arithmetic is exact.
  if (high < SAFE_HIGH_WORD && high >= -SAFE_HIGH_WORD) {
    const value = high * TWO_POW_32 + (low >>> 0);
    if (Number.isSafeInteger(value)) return value;
  }
  return ((BigInt(high) << 32n) + BigInt(low >>> 0)).toString();
}
