import { headers } from "next/headers";
import { getWebEnv } from "../../../server/env";

/**
 * The OTLP traces URL to show users. In all-in-one mode ingest shares the web origin,
 * so the request's own host is right; split deployments set INGEST_PUBLIC_URL.
 */
export async function getOtlpTracesEndpoint(): Promise<string> {
  const configured = getWebEnv().INGEST_PUBLIC_URL;
  if (configured) return `${configured.replace(/\/+$/, "")}/v1/traces`;
  const requestHeaders = await headers();
  const host = requestHeaders.get("x-forwarded-host") ?? requestHeaders.get("host") ?? "localhost:3000";
  const protocol = requestHeaders.get("x-forwarded-proto")?.split(",")[0]?.trim() ?? "http";
  return `${protocol}://${host}/v1/traces`;
}

/** The origin users reach this app on (the SDK's SPANLENS_BASE_URL), from the request's host. */
export async function getAppBaseUrl(): Promise<string> {
  const configured = getWebEnv().NEXTAUTH_URL;
  if (configured) return configured.replace(/\/+$/, "");
  const requestHeaders = await headers();
  const host = requestHeaders.get("x-forwarded-host") ?? requestHeaders.get("host") ?? "localhost:3000";
  const protocol = requestHeaders.get("x-forwarded-proto")?.split(",")[0]?.trim() ?? "http";
  return `${protocol}://${host}`;
}
