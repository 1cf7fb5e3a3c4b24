import type { TOtlpContentType } from "./types.js";

/** Maps a Content-Type header to an OTLP encoding; null means the transport answers 415. */
export function parseOtlpContentType(header: string | null | undefined): TOtlpContentType | null {
  if (!header) return null;
  const mediaType = (header.split(";", 1)[0] ?? "").trim().toLowerCase();
  if (mediaType === "application/x-protobuf" || mediaType === "application/protobuf") return "protobuf";
  if (mediaType === "application/json") return "json";
  return null;
}

/** The Content-Type a response carries: OTLP/HTTP answers in the request's encoding. */
export const OTLP_CONTENT_TYPE_HEADERS: Readonly<Record<TOtlpContentType, string>> = {
  protobuf: "application/x-protobuf",
  json: "application/json",
};
