import { getColocatedIngest } from "@spanlens/core";
import { headers } from "next/headers";
import { getWebEnv } from "../../../server/env";

/**
 * The OTLP traces URL to show users. In all-in-one mode ingest shares the web origin,
 * so the request's own host is right; split deployments set INGEST_PUBLIC_URL.
 */
export async function getOtlpTracesEndpoint(): Promise<string> {
  const configured = getWebEnv().INGEST_PUBLIC_URL;
  if (configured) return `${configured.replace(/\/+$/, "")}/v1/traces`;
  const { protocol, host } = await requestOrigin();
  return `${protocol}://${host}/v1/traces`;
}

/** The scheme and host the request came in on, as a proxy in front reports them. */
async function requestOrigin(): Promise<{ protocol: string; host: string }> {
  const requestHeaders = await headers();
  return {
    protocol: requestHeaders.get("x-forwarded-proto")?.split(",")[0]?.trim() ?? "http",
    host: requestHeaders.get("x-forwarded-host") ?? requestHeaders.get("host") ?? "localhost:3000",
  };
}

/**
 * The OTLP/gRPC endpoint to show users, or null when there is none to show. An explicit
 * INGEST_GRPC_PUBLIC_URL wins. Without it, all-in-one serves gRPC on the web app's host at
 * its gRPC port, in plaintext whatever the web app's own scheme; a web app without a
 * receiver beside it does not know where gRPC is published.
 */
export function resolveOtlpGrpcEndpoint(input: {
  grpcPublicUrl: string | undefined;
  /** The all-in-one process's gRPC port; null when off, undefined when ingest runs elsewhere. */
  colocatedGrpcPort: number | null | undefined;
  requestHost: string;
}): string | null {
  if (input.grpcPublicUrl) return input.grpcPublicUrl.replace(/\/+$/, "");
  if (input.colocatedGrpcPort === null || input.colocatedGrpcPort === undefined) return null;
  const hostname = new URL(`http://${input.requestHost}`).hostname;
  return `http://${hostname}:${input.colocatedGrpcPort}`;
}

export async function getOtlpGrpcEndpoint(): Promise<string | null> {
  return resolveOtlpGrpcEndpoint({
    grpcPublicUrl: getWebEnv().INGEST_GRPC_PUBLIC_URL,
    colocatedGrpcPort: getColocatedIngest()?.otlpGrpcPort,
    requestHost: (await requestOrigin()).host,
  });
}

/** The origin users reach this app on (the SDK's SPANLENS_BASE_URL), from the request's host. */
export async function getAppBaseUrl(): Promise<string> {
  const configured = getWebEnv().NEXTAUTH_URL;
  if (configured) return configured.replace(/\/+$/, "");
  const { protocol, host } = await requestOrigin();
  return `${protocol}://${host}`;
}
