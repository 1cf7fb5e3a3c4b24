import type { TOtlpContentType } from "./types.js";

/** A Content-Type header's media type, lower-cased and without parameters ("" when absent). */
export function mediaTypeOf(header: string | null | undefined): string {
  return (header?.split(";", 1)[0] ?? "").trim().toLowerCase();
}

/** Maps a Content-Type header to an OTLP encoding; null means the transport answers 415. */
export function parseOtlpContentType(header: string | null | undefined): TOtlpContentType | null {
  const mediaType = mediaTypeOf(header);
  if (mediaType === "application/x-protobuf" || mediaType === "application/protobuf") return "protobuf";
  if (mediaType === "application/json") return "json";
  return null;
}

/** The Content-Type a response carries: OTLP/HTTP answers in the request's encoding. */
export const OTLP_CONTENT_TYPE_HEADERS: Readonly<Record<TOtlpContentType, string>> = {
  protobuf: "application/x-protobuf",
  json: "application/json",
};
