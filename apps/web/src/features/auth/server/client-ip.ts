/**
 * The client's address from proxy headers. Only the first hop is used; deployments
 * behind a proxy must have it set X-Forwarded-For, otherwise every client shares one bucket.
 */
export function clientIpFromHeaders(headers: { get(name: string): string | null }): string {
  const forwarded = headers.get("x-forwarded-for")?.split(",")[0]?.trim();
  return forwarded || headers.get("x-real-ip")?.trim() || "unknown";
}
