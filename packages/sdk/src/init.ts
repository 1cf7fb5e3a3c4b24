import { context, propagation, type TracerProvider as TApiTracerProvider, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from "@opentelemetry/core";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BatchSpanProcessor, type SpanExporter, type SpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";
import { BaggageSpanProcessor, type TBaggageSpanProcessorOptions } from "./baggage.js";
import { readEnv, resolveConnection, type TResolvedConnection, type TSpanlensConnection } from "./config.js";
import { setTracerProvider } from "./tracer.js";

export interface TInitOptions extends TSpanlensConnection {
  /** `service.name` (`SPANLENS_SERVICE_NAME`, then `OTEL_SERVICE_NAME`). */
  serviceName?: string;
  /** `deployment.environment.name` (`SPANLENS_ENVIRONMENT`). */
  environment?: string;
  /** `service.version` (`SPANLENS_RELEASE`), e.g. a git sha. */
  release?: string;
  /**
   * Use this provider instead of creating one (an existing OTel setup): helpers trace with
   * it, and nothing is exported by Spanlens itself. Put `createSpanlensSpanProcessors()` in
   * its `spanProcessors` to send its spans here.
   */
  tracerProvider?: TApiTracerProvider;
  /** Make the provider the global one so other instrumentations use it (default true; skipped when one is set). */
  registerGlobal?: boolean;
  baggage?: TBaggageSpanProcessorOptions;
  /** Export batching: wait at most this long before sending (default 1000 ms). */
  scheduledDelayMillis?: number;
  /** Replace the OTLP exporter (tests, or a second destination through your own processor). */
  exporter?: SpanExporter;
  /** Flush pending spans when the process is about to exit (default true). */
  flushOnExit?: boolean;
}

export interface TSpanlensHandle {
  tracerProvider: TApiTracerProvider;
  connection: TResolvedConnection | null;
  /** Exports every finished span now. */
  flush(): Promise<void>;
  /** Flushes and stops exporting; later spans are dropped. */
  shutdown(): Promise<void>;
}

let active: { handle: TSpanlensHandle; connection: TResolvedConnection | null } | null = null;

/** The connection `init()` resolved, for the scores and KPI clients. */
export function getInitializedConnection(): TResolvedConnection | null {
  return active?.connection ?? null;
}

/**
 * How long the exporter keeps an idle connection, at most. Node's http.Agent keeps idle
 * connections with no timer of its own unless it is given one; with one, it also honours the
 * server's `Keep-Alive: timeout=N` and closes a second before it. Otherwise the server closes
 * the idle connection, and an export sent at that moment is reset and has to be retried.
 */
const EXPORT_IDLE_TIMEOUT_MS = 60_000;

/** The OTLP exporter pointed at `${baseUrl}/v1/traces` with the project's key. */
export function createSpanlensExporter(connection: TSpanlensConnection = {}): OTLPTraceExporter {
  const resolved = resolveConnection(connection);
  return new OTLPTraceExporter({
    url: `${resolved.baseUrl}/v1/traces`,
    headers: resolved.headers,
    httpAgentOptions: { keepAlive: true, timeout: EXPORT_IDLE_TIMEOUT_MS },
  });
}

/**
 * The processors to add to your own `TracerProvider({ spanProcessors: [...] })`: baggage
 * copying first (it must see spans start), then batched OTLP export to Spanlens.
 */
export function createSpanlensSpanProcessors(
  options: TSpanlensConnection & {
    baggage?: TBaggageSpanProcessorOptions;
    exporter?: SpanExporter;
    scheduledDelayMillis?: number;
  } = {},
): SpanProcessor[] {
  return [
    new BaggageSpanProcessor(options.baggage),
    new BatchSpanProcessor({
      exporter: options.exporter ?? createSpanlensExporter(options),
      scheduledDelayMillis: options.scheduledDelayMillis ?? 1000,
    }),
  ];
}

/** An async-local context manager and W3C propagators, unless the app registered its own. */
function ensureContextAndPropagation(): void {
  // Each register call is a no-op returning false when something is registered already.
  const manager = new AsyncLocalStorageContextManager();
  if (context.setGlobalContextManager(manager)) manager.enable();
  propagation.setGlobalPropagator(
    new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }),
  );
}

/**
 * Sets up tracing to Spanlens: an OTLP/protobuf exporter behind a batch processor, baggage
 * copying, a resource naming the service, environment and release. Calling it again
 * returns the first handle.
 */
export function init(options: TInitOptions = {}): TSpanlensHandle {
  if (active) return active.handle;
  ensureContextAndPropagation();

  if (options.tracerProvider) {
    const provider = options.tracerProvider;
    setTracerProvider(provider);
    const connection = options.secretKey || readEnv("SPANLENS_SECRET_KEY") ? resolveConnection(options) : null;
    const handle: TSpanlensHandle = {
      tracerProvider: provider,
      connection,
      flush: async () => {
        await (provider as { forceFlush?: () => Promise<void> }).forceFlush?.();
      },
      shutdown: async () => {
        setTracerProvider(null);
        active = null;
      },
    };
    active = { handle, connection };
    return handle;
  }

  const connection = options.exporter && !options.secretKey ? null : resolveConnection(options);
  const serviceName = options.serviceName ?? readEnv("SPANLENS_SERVICE_NAME") ?? readEnv("OTEL_SERVICE_NAME");
  const environment = options.environment ?? readEnv("SPANLENS_ENVIRONMENT");
  const release = options.release ?? readEnv("SPANLENS_RELEASE");
  const provider = new TracerProvider({
    resource: resourceFromAttributes({
      "service.name": serviceName ?? "unknown_service",
      ...(environment ? { "deployment.environment.name": environment } : {}),
      ...(release ? { "service.version": release } : {}),
      "telemetry.sdk.name": "@spanlens/sdk",
    }),
    spanProcessors: createSpanlensSpanProcessors({
      ...options,
      ...(options.exporter ? { exporter: options.exporter } : {}),
    }),
  });
  setTracerProvider(provider);
  const isGlobal = (options.registerGlobal ?? true) && trace.setGlobalTracerProvider(provider);

  const onBeforeExit = () => void provider.forceFlush();
  if (options.flushOnExit ?? true)
    (globalThis as { process?: NodeJS.Process }).process?.once("beforeExit", onBeforeExit);

  const handle: TSpanlensHandle = {
    tracerProvider: provider,
    connection,
    flush: () => provider.forceFlush(),
    shutdown: async () => {
      (globalThis as { process?: NodeJS.Process }).process?.off("beforeExit", onBeforeExit);
      await provider.shutdown();
      if (isGlobal) trace.disable();
      setTracerProvider(null);
      active = null;
    },
  };
  active = { handle, connection };
  return handle;
}

/** Flushes and stops what `init()` started. */
export async function shutdown(): Promise<void> {
  await active?.handle.shutdown();
}

/** Exports every finished span now (before a serverless function returns, in tests). */
export async function flush(): Promise<void> {
  await active?.handle.flush();
}
