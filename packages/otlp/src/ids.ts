const HEX_BY_BYTE = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, "0"));
const HEX_PATTERN = /^[0-9a-fA-F]*$/;
const BASE64_PATTERN = /^[A-Za-z0-9+/_-]*={0,2}$/;

export const TRACE_ID_BYTES = 16;
export const SPAN_ID_BYTES = 8;

export function bytesToHex(bytes: Uint8Array): string {
  let hex = "";
  for (let i = 0; i < bytes.length; i++) hex += HEX_BY_BYTE[bytes[i] ?? 0];
  return hex;
}

export function isAllZero(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) if (bytes[i] !== 0) return false;
  return true;
}

export function isAllZeroHex(hex: string): boolean {
  for (let i = 0; i < hex.length; i++) if (hex.charCodeAt(i) !== 48) return false;
  return true;
}

/**
 * An OTLP/JSON id → lowercase hex, "" when absent, null when malformed. The spec mandates hex;
 * base64 (what a generic proto3-JSON encoder emits) is accepted only at the length that cannot
 * be mistaken for hex, so a misconfigured client still gets its spans in.
 */
export function jsonIdToHex(value: unknown, byteLength: number): string | null {
  if (value === undefined || value === null || value === "") return "";
  if (typeof value !== "string") return null;
  if (value.length === byteLength * 2 && HEX_PATTERN.test(value)) return value.toLowerCase();
  if (value.length === Math.ceil(byteLength / 3) * 4 && BASE64_PATTERN.test(value)) {
    const bytes = Buffer.from(value, "base64");
    if (bytes.length === byteLength) return bytesToHex(bytes);
  }
  return null;
}

/** Whether a decoded hex id is usable: right length and not the all-zero "invalid" id. */
export function isValidHexId(hex: string, byteLength: number): boolean {
  return hex.length === byteLength * 2 && !isAllZeroHex(hex);
}
