import { describe, expect, it } from "vitest";
import type { TOtlpAttributes, TOtlpSpan } from "../../otlp-types.js";
import { normalizeSpan, normalizeSpanOrKeep } from "../normalize.js";
import {
  RESOURCE_ATTRIBUTES_MAX_CHARS,
  RESOURCE_TRUNCATED_ATTRIBUTE,
  RESOURCE_VALUE_MAX_CHARS,
  resourceAttributesOf,
} from "./resource.js";

function spanUnder(resource: TOtlpAttributes, spanId = "00f067aa0ba902b7"): TOtlpSpan {
  return {
    traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
    spanId,
    parentSpanId: null,
    name: "work",
    kind: 1,
    startTimeUnixNano: "1767225600000000500",
    endTimeUnixNano: "1767225600001000000",
    attributes: { "app.note": "x".repeat(10_000) },
    events: [],
    links: [],
    status: { code: 0, message: "" },
    resource,
    scope: { name: "", version: "", attributes: {} },
  };
}

describe("resource attributes on each span", () => {
  it("keeps a common resource whole, non-strings as JSON text", () => {
    const resource = {
      "service.name": "checkout",
      "process.pid": 4211,
      "process.command_args": ["node", "server.js"],
      "k8s.pod.name": "checkout-7d9f",
    };
    expect(normalizeSpan(spanUnder(resource)).resourceAttributes).toEqual({
      "service.name": "checkout",
      "process.pid": "4211",
      "process.command_args": '["node","server.js"]',
      "k8s.pod.name": "checkout-7d9f",
    });
  });

  it("cuts a value past the limit and names it, without splitting a surrogate pair", () => {
    const long = `${"a".repeat(RESOURCE_VALUE_MAX_CHARS - 1)}😀${"b".repeat(50_000)}`;
    const attributes = resourceAttributesOf({ "service.name": "api", "process.command_line": long });
    expect(attributes["service.name"]).toBe("api");
    expect(attributes["process.command_line"]).toBe("a".repeat(RESOURCE_VALUE_MAX_CHARS - 1));
    expect(attributes[RESOURCE_TRUNCATED_ATTRIBUTE]).toBe(
      `cut to ${RESOURCE_VALUE_MAX_CHARS} characters: process.command_line (${long.length})`,
    );
  });

  it("drops attributes past the total and lists them, keeping the span's own attributes whole", () => {
    const resource: TOtlpAttributes = { "service.name": "api" };
    for (let index = 0; index < 30; index += 1) resource[`k8s.pod.label.l${index}`] = "v".repeat(1000);
    const span = normalizeSpan(spanUnder(resource));
    const kept = Object.keys(span.resourceAttributes).filter((key) => key !== RESOURCE_TRUNCATED_ATTRIBUTE);
    // 1,017 characters per label: 16 fit beside service.name.
    expect(kept).toEqual(["service.name", ...Array.from({ length: 16 }, (_, index) => `k8s.pod.label.l${index}`)]);
    const size = kept.reduce((sum, key) => sum + key.length + (span.resourceAttributes[key]?.length ?? 0), 0);
    expect(size).toBeLessThanOrEqual(RESOURCE_ATTRIBUTES_MAX_CHARS);
    expect(span.resourceAttributes[RESOURCE_TRUNCATED_ATTRIBUTE]).toBe(
      `dropped past ${RESOURCE_ATTRIBUTES_MAX_CHARS} characters in all: ${Array.from(
        { length: 14 },
        (_, index) => `k8s.pod.label.l${index + 16}`,
      ).join(", ")}`,
    );
    expect(span.attributes["app.note"]).toHaveLength(10_000);
    expect(span.serviceName).toBe("api");
  });

  it("lists at most twenty names, then how many more", () => {
    const resource: TOtlpAttributes = {};
    for (let index = 0; index < 25; index += 1) resource[`r${index}`] = "z".repeat(RESOURCE_VALUE_MAX_CHARS + 1);
    const marker = resourceAttributesOf(resource)[RESOURCE_TRUNCATED_ATTRIBUTE] ?? "";
    // 4,098 characters each once cut: three fit, and the rest are dropped, not listed as cut.
    expect(marker).toBe(
      `cut to 4096 characters: r0 (4097), r1 (4097), r2 (4097); dropped past 16384 characters in all: ${Array.from(
        { length: 20 },
        (_, index) => `r${index + 3}`,
      ).join(", ")} and 2 more`,
    );
  });

  it("converts a resource once for all its spans, also when a span is kept as sent", () => {
    const resource: TOtlpAttributes = { "service.name": "api", "process.command_line": "c".repeat(9000) };
    const first = normalizeSpan(spanUnder(resource, "00f067aa0ba902b7")).resourceAttributes;
    const second = normalizeSpan(spanUnder(resource, "00f067aa0ba902b8")).resourceAttributes;
    expect(second).toBe(first);
    const kept = normalizeSpanOrKeep({ ...spanUnder(resource), startTimeUnixNano: "not a time" });
    expect(kept.resourceAttributes).toBe(first);
  });
});
