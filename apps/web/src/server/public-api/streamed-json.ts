import { childLogger } from "@spanlens/core";

const log = childLogger("public-api");

/**
 * A 200 JSON reply written while its array is read: `head`, the items JSON-encoded and
 * comma-separated, then `tail`. The reply holds one item at a time, not the whole
 * document several times over. Each item is pulled only as the client reads, so a slow
 * reader holds up the query instead of filling memory; a client that leaves stops it.
 * An error after the first byte can only cut the reply short (its status is sent), so it
 * is logged here; the client sees a truncated body, which no JSON parser accepts.
 */
export function streamedJsonArray<T>(items: AsyncIterator<T>, head: string, tail: string): Response {
  const encoder = new TextEncoder();
  let separator = "";
  // A client can leave while an item is being read: the stream is closed by the time it comes.
  let left = false;
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(head));
    },
    async pull(controller) {
      try {
        const next = await items.next();
        if (left) return;
        if (next.done) {
          controller.enqueue(encoder.encode(tail));
          controller.close();
          return;
        }
        controller.enqueue(encoder.encode(separator + JSON.stringify(next.value)));
        separator = ",";
      } catch (error) {
        if (left) return;
        log.error({ err: error }, "public API reply failed while streaming");
        controller.error(error);
      }
    },
    async cancel() {
      left = true;
      await items.return?.();
    },
  });
  return new Response(body, {
    status: 200,
    headers: { "content-type": "application/json", "cache-control": "no-store" },
  });
}
