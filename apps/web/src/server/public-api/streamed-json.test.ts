import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, describe, expect, it, vi } from "vitest";

const logged = vi.hoisted(() => [] as string[]);
vi.mock("@spanlens/core", () => ({
  childLogger: () => ({ error: (_bindings: unknown, message: string) => logged.push(message) }),
}));

const { streamedJsonArray } = await import("./streamed-json");

/** Items handed out one at a time, each only when the test releases it. */
function releasedItems() {
  const waiting: Array<(result: IteratorResult<{ n: number }>) => void> = [];
  let returned = false;
  const items: AsyncIterator<{ n: number }> = {
    next: () => new Promise((resolve) => waiting.push(resolve)),
    return: async () => {
      returned = true;
      return { done: true, value: undefined };
    },
  };
  return {
    items,
    release: (result: IteratorResult<{ n: number }>) => waiting.shift()?.(result),
    pending: () => waiting.length,
    returned: () => returned,
  };
}

afterEach(() => {
  logged.length = 0;
});

describe("streamedJsonArray", () => {
  it("writes the head, each item as it comes and the tail, as one JSON document", async () => {
    const source = releasedItems();
    const reply = streamedJsonArray(source.items, '{"data":[', "]}");
    const text = reply.text();
    for (const n of [1, 2]) {
      await vi.waitFor(() => expect(source.pending()).toBe(1));
      source.release({ done: false, value: { n } });
    }
    await vi.waitFor(() => expect(source.pending()).toBe(1));
    source.release({ done: true, value: undefined });
    expect(JSON.parse(await text)).toEqual({ data: [{ n: 1 }, { n: 2 }] });
    expect(logged).toEqual([]);
  });

  it("stops reading items when the client leaves, without an error for an item read meanwhile", async () => {
    const source = releasedItems();
    const reader = streamedJsonArray(source.items, '{"data":[', "]}").body?.getReader();
    expect(new TextDecoder().decode((await reader?.read())?.value)).toBe('{"data":[');
    // An item is being read as the client leaves; it arrives after.
    await vi.waitFor(() => expect(source.pending()).toBe(1));
    await reader?.cancel();
    source.release({ done: false, value: { n: 1 } });
    await sleep(20);
    expect(source.returned()).toBe(true);
    expect(logged).toEqual([]);
  });

  it("logs an error while reading items, as the reply can only be cut short by then", async () => {
    const items: AsyncIterator<{ n: number }> = { next: async () => Promise.reject(new Error("store went away")) };
    const reader = streamedJsonArray(items, '{"data":[', "]}").body?.getReader();
    await reader?.read();
    await expect(reader?.read()).rejects.toThrow("store went away");
    expect(logged).toEqual(["public API reply failed while streaming"]);
  });
});
