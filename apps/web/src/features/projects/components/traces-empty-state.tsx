import type { ReactNode } from "react";

/** Shown until the first span arrives: tells the user exactly where to send OTLP. */
export function TracesEmptyState({ otlpEndpoint, children }: { otlpEndpoint: string; children?: ReactNode }) {
  return (
    <div
      data-testid="traces-empty-state"
      className="flex flex-col items-center gap-4 rounded-xl border border-dashed border-neutral-300 bg-white px-6 py-12 text-center"
    >
      <div className="flex flex-col gap-1">
        <h3 className="text-base font-semibold text-neutral-900">No traces yet — send OTLP to /v1/traces</h3>
        <p className="text-sm text-neutral-600">
          Point any OpenTelemetry exporter at this endpoint, authenticated with one of this project's API keys.
        </p>
      </div>
      <dl className="grid w-full max-w-xl grid-cols-[auto_1fr] gap-x-4 gap-y-2 rounded-lg bg-neutral-100 p-4 text-left text-sm">
        <dt className="text-neutral-500">Endpoint</dt>
        <dd className="break-all font-mono text-neutral-900" data-testid="otlp-endpoint">
          {otlpEndpoint}
        </dd>
        <dt className="text-neutral-500">Header</dt>
        <dd className="break-all font-mono text-neutral-900">Authorization: Bearer sk-sl-…</dd>
        <dt className="text-neutral-500">Formats</dt>
        <dd className="text-neutral-900">
          application/x-protobuf or application/json, optionally gzip, zstd or deflate
        </dd>
      </dl>
      {children}
    </div>
  );
}
