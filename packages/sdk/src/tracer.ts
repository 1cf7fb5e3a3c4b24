import { type Tracer, type TracerProvider, trace } from "@opentelemetry/api";

export const SDK_NAME = "@spanlens/sdk";
export const SDK_VERSION = "0.1.0";

let configuredProvider: TracerProvider | null = null;

/** Which provider helpers use: the one `init()` set up or attached to, else the global one. */
export function setTracerProvider(provider: TracerProvider | null): void {
  configuredProvider = provider;
}

export function getTracer(): Tracer {
  return (configuredProvider ?? trace.getTracerProvider()).getTracer(SDK_NAME, SDK_VERSION);
}
