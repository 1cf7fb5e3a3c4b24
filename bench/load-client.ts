/**
 * What the ingest benchmark's load generator costs per request with each HTTP client
 * (`BENCH_LOAD_CLIENT`: `raw`, bench/raw-http.ts, or `node-http`), measured apart from the
 * pipeline: the generator process posts the benchmark's requests to a server in this
 * process that reads each body and answers 200 after `BENCH_LOAD_CLIENT_DELAY_MS` (45 ms,
 * so 32 senders make about (b)'s 700 requests per second), closed loop with 32 senders and
 * open loop at 700 requests per second, 10 s each, the clients alternating for
 * `BENCH_LOAD_CLIENT_ROUNDS` rounds (2). Reports the generator's CPU per request (the
 * server's is not in it). No services needed; about two minutes.
 *
 *   pnpm bench:load-client
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { TLoadCommand } from "./ingest-load.js";
import { forkLoadGenerator, nextLoadMessage, prepareLoad } from "./load-generator.js";

const DELAY_MS = Number(process.env.BENCH_LOAD_CLIENT_DELAY_MS ?? 45);
const ROUNDS = Number(process.env.BENCH_LOAD_CLIENT_ROUNDS ?? 2);
const DURATION_S = 10;
const REQUESTS_PER_SECOND = 700;
const CLIENTS = ["raw", "node-http"] as const;

const server = createServer((req, res) => {
  req.resume();
  req.on("end", () => setTimeout(() => res.end(), DELAY_MS));
});
server.keepAliveTimeout = 120_000;
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

async function measure(client: (typeof CLIENTS)[number], loop: "closed" | "open") {
  const { child } = await forkLoadGenerator({ BENCH_LOAD_CLIENT: client, BENCH_TEMPLATES: "100" });
  await prepareLoad(child, Math.ceil(REQUESTS_PER_SECOND * DURATION_S * 1.5));
  const common = { baseUrl, secretKey: "sk-bench", durationS: DURATION_S };
  child.send(
    (loop === "closed"
      ? { type: "closed", ...common, concurrency: 32, maxRequests: 0 }
      : { type: "open", ...common, requestsPerSecond: REQUESTS_PER_SECOND }) satisfies TLoadCommand,
  );
  const done = await nextLoadMessage(child, "done");
  child.disconnect();
  const failed = done.sentRequests - done.okRequests;
  if (failed > 0)
    throw new Error(`${client} ${loop}: ${failed} requests failed: ${JSON.stringify(done.failedByStatus)}`);
  const seconds = (done.endedAt - done.startedAt) / 1000;
  return {
    client,
    loop,
    requestsPerSecond: Math.round(done.okRequests / seconds),
    cpuMicrosPerRequest: Math.round(done.cpuMicros / done.okRequests),
  };
}

const results = [];
for (let round = 1; round <= ROUNDS; round += 1) {
  for (const client of CLIENTS) {
    for (const loop of ["closed", "open"] as const) {
      const result = { round, ...(await measure(client, loop)) };
      console.error(JSON.stringify(result));
      results.push(result);
    }
  }
}
server.close();
console.log(JSON.stringify({ delayMs: DELAY_MS, durationS: DURATION_S, results }, null, 2));
