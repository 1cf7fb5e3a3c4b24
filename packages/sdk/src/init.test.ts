import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { propagation, trace } from "@opentelemetry/api";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";
import { afterEach, describe, expect, it } from "vitest";
import { withRequestContext } from "./baggage.js";
import { authorizationHeader, resolveConnection } from "./config.js";
import { createSpanlensExporter, createSpanlensSpanProcessors, init, shutdown } from "./init.js";
import { step } from "./step.js";

afterEach(async () => {
  await shutdown();
  for (const name of ["SPANLENS_BASE_URL", "SPANLENS_PUBLIC_KEY", "SPANLENS_SECRET_KEY"]) delete process.env[name];
});

describe("connection settings", () => {
  it("reads SPANLENS_* env vars and prefers explicit options", () => {
    process.env.SPANLENS_BASE_URL = "http://spanlens.internal:3000/";
    process.env.SPANLENS_PUBLIC_KEY = "pk-sl-env";
    process.env.SPANLENS_SECRET_KEY = "sk-sl-env";
    expect(resolveConnection()).toEqual({
      baseUrl: "http://spanlens.internal:3000",
      headers: { Authorization: `Basic ${Buffer.from("pk-sl-env:sk-sl-env").toString("base64")}` },
    });
    expect(resolveConnection({ publicKey: "", secretKey: "sk-sl-own" }).headers.Authorization).toBe(
      `Basic ${Buffer.from("pk-sl-env:sk-sl-own").toString("base64")}`,
    );
    expect(authorizationHeader(undefined, "sk-sl-1")).toBe("Bearer sk-sl-1");
  });

  it("names the missing or malformed setting", () => {
    expect(() => resolveConnection({ baseUrl: "http://localhost:3000" })).toThrow(/secretKey.*SPANLENS_SECRET_KEY/);
    expect(() => resolveConnection({ baseUrl: "localhost", secretKey: "sk" })).toThrow(/baseUrl/);
    expect(() => init({ serviceName: "x" })).toThrow(/baseUrl/);
  });
});

describe("alongside an existing OpenTelemetry setup", () => {
  it("traces steps with the app's own provider, which carries Spanlens' processors", async () => {
    const exporter = new InMemorySpanExporter();
    const provider = new TracerProvider({ spanProcessors: createSpanlensSpanProcessors({ exporter }) });
    const appTracer = provider.getTracer("app");
    init({ tracerProvider: provider });

    await withRequestContext({ userId: "u-5" }, () =>
      appTracer.startActiveSpan("http.request", async (request) => {
        await step("rag.retrieve", async () => "ok");
        request.end();
      }),
    );
    await provider.forceFlush();
    const spans = exporter.getFinishedSpans();
    const request = spans.find((span) => span.name === "http.request");
    const retrieve = spans.find((span) => span.name === "rag.retrieve");
    expect(retrieve?.parentSpanContext?.spanId).toBe(request?.spanContext().spanId);
    expect(retrieve?.instrumentationScope.name).toBe("@spanlens/sdk");
    expect(request?.attributes["user.id"]).toBe("u-5");
    expect(retrieve?.attributes["user.id"]).toBe("u-5");
    await provider.shutdown();
  });

  it("keeps the propagator the app registered, and unregisters its own provider on shutdown", async () => {
    propagation.disable();
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    init({ exporter: new InMemorySpanExporter(), flushOnExit: false });
    expect(propagation.fields()).toEqual(["traceparent", "tracestate"]);
    expect(trace.getTracerProvider().getTracer("x").startSpan("during").isRecording()).toBe(true);
    await shutdown();
    expect(trace.getTracerProvider().getTracer("x").startSpan("after").isRecording()).toBe(false);
  });
});

describe("the exporter's connection", () => {
  it("closes an idle connection before the server's announced keep-alive runs out", async () => {
    const server = createServer((req, res) => {
      req.resume();
      req.on("end", () => res.writeHead(200, { "Content-Type": "application/x-protobuf" }).end());
    });
    // Announced as `Keep-Alive: timeout=3`; Node closes idle connections a second after that.
    server.keepAliveTimeout = 3_000;
    const events: string[] = [];
    server.on("connection", (socket) => {
      socket.on("timeout", () => events.push("server timed out"));
      socket.on("close", () => events.push("closed"));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const provider = new TracerProvider({
      spanProcessors: [
        new SimpleSpanProcessor({
          exporter: createSpanlensExporter({
            baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
            secretKey: "sk-sl-test",
          }),
        }),
      ],
    });
    try {
      provider.getTracer("test").startSpan("one").end();
      await provider.forceFlush();
      // Past the exporter's close (announced timeout minus a second), before the server's own.
      await sleep(2_600);
      expect(events).toEqual(["closed"]);
    } finally {
      await provider.shutdown();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
