/**
 * The exact environment lines for a new key. OTLP exporters take the base endpoint and
 * append `/v1/traces` themselves; header values are percent-encoded per the OTel spec,
 * so the space after `Bearer` is `%20`.
 */
export function buildEnvLines(input: {
  otlpTracesEndpoint: string;
  /** Null when this deployment has no OTLP/gRPC endpoint to show. */
  otlpGrpcEndpoint: string | null;
  appBaseUrl: string;
  publicKey: string;
  secretKey: string;
}): { otel: string; otelGrpc: string | null; sdk: string } {
  const otlpBase = input.otlpTracesEndpoint.replace(/\/v1\/traces$/, "");
  return {
    otel: [
      `OTEL_EXPORTER_OTLP_ENDPOINT=${otlpBase}`,
      `OTEL_EXPORTER_OTLP_HEADERS=Authorization=Bearer%20${input.secretKey}`,
    ].join("\n"),
    // gRPC metadata keys are lowercase; exporters pass the header through as written.
    otelGrpc: input.otlpGrpcEndpoint
      ? [
          "OTEL_EXPORTER_OTLP_PROTOCOL=grpc",
          `OTEL_EXPORTER_OTLP_ENDPOINT=${input.otlpGrpcEndpoint}`,
          `OTEL_EXPORTER_OTLP_HEADERS=authorization=Bearer%20${input.secretKey}`,
        ].join("\n")
      : null,
    sdk: [
      `SPANLENS_BASE_URL=${input.appBaseUrl}`,
      `SPANLENS_PUBLIC_KEY=${input.publicKey}`,
      `SPANLENS_SECRET_KEY=${input.secretKey}`,
    ].join("\n"),
  };
}
