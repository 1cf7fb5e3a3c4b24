import { context, propagation, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { BaggageSpanProcessor, contextWithRequest, getRequestContext, withRequestContext } from "./baggage.js";

const exporter = new InMemorySpanExporter();
let manager: AsyncLocalStorageContextManager;

beforeAll(() => {
  manager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(manager);
});
afterAll(() => context.disable());
beforeEach(() => exporter.reset());

function providerWith(processor: BaggageSpanProcessor): TracerProvider {
  return new TracerProvider({ spanProcessors: [processor, new SimpleSpanProcessor({ exporter })] });
}

describe("BaggageSpanProcessor", () => {
  it("copies user, session, tags, feature flags and metadata onto every span in the request scope", async () => {
    const tracer = providerWith(new BaggageSpanProcessor()).getTracer("test");
    await withRequestContext(
      {
        userId: "u-42",
        sessionId: "s-7",
        tags: ["domain:hr", "intent:policy_lookup"],
        featureFlags: { reranker: "v2", streaming: true },
        metadata: { tenant: "acme" },
      },
      async () => {
        await new Promise((resolve) => setTimeout(resolve, 1));
        tracer.startActiveSpan("rag.answer", (root) => {
          tracer.startSpan("rag.retrieve").end();
          root.end();
        });
      },
    );
    const spans = exporter.getFinishedSpans();
    expect(spans).toHaveLength(2);
    for (const span of spans) {
      expect(span.attributes).toEqual({
        "user.id": "u-42",
        "session.id": "s-7",
        "tag.tags": ["domain:hr", "intent:policy_lookup"],
        "feature_flag.reranker": "v2",
        "feature_flag.streaming": "true",
        "spanlens.metadata.tenant": "acme",
      });
    }
  });

  it("adds nested tags to the ones in scope and lets an inner scope change the user", () => {
    const tracer = providerWith(new BaggageSpanProcessor()).getTracer("test");
    withRequestContext({ userId: "outer", tags: ["domain:it"] }, () =>
      withRequestContext({ userId: "inner", tags: ["intent:vpn", "domain:it"] }, () => {
        expect(getRequestContext()).toEqual({ userId: "inner", tags: ["domain:it", "intent:vpn"] });
        tracer.startSpan("step").end();
      }),
    );
    expect(exporter.getFinishedSpans()[0]?.attributes).toEqual({
      "user.id": "inner",
      "tag.tags": ["domain:it", "intent:vpn"],
    });
  });

  it("copies only the chosen keys and ignores other baggage", () => {
    const tracer = providerWith(new BaggageSpanProcessor({ keys: ["user.id", /^app\./] })).getTracer("test");
    const baggage = propagation.createBaggage({
      "user.id": { value: "u-1" },
      "app.region": { value: "eu" },
      "secret.token": { value: "do-not-store" },
      "session.id": { value: "s-1" },
    });
    context.with(propagation.setBaggage(context.active(), baggage), () => tracer.startSpan("step").end());
    expect(exporter.getFinishedSpans()[0]?.attributes).toEqual({ "user.id": "u-1", "app.region": "eu" });
  });

  it("leaves spans untouched outside a request scope", () => {
    const tracer = providerWith(new BaggageSpanProcessor()).getTracer("test");
    tracer.startSpan("background").end();
    expect(exporter.getFinishedSpans()[0]?.attributes).toEqual({});
    expect(getRequestContext()).toEqual({});
  });

  it("builds a context for frameworks that activate contexts themselves", () => {
    const tracer = providerWith(new BaggageSpanProcessor()).getTracer("test");
    const requestContext = contextWithRequest({ sessionId: "s-9" });
    tracer.startSpan("handler", {}, requestContext).end();
    expect(exporter.getFinishedSpans()[0]?.attributes).toEqual({ "session.id": "s-9" });
    expect(trace.getSpan(requestContext)).toBeUndefined();
  });
});
