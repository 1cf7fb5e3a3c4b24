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
import { type ChildProcess, fork } from "node:child_process";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import type { TLoadCommand, TLoadMessage } from "./ingest-load.js";

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

function next<TType extends TLoadMessage["type"]>(
  child: ChildProcess,
  type: TType,
): Promise<Extract<TLoadMessage, { type: TType }>> {
  return new Promise((resolve) => {
    const onMessage = (message: TLoadMessage) => {
      if (message.type !== type) return;
      child.off("message", onMessage);
      resolve(message as Extract<TLoadMessage, { type: TType }>);
    };
    child.on("message", onMessage);
  });
}

async function measure(client: (typeof CLIENTS)[number], loop: "closed" | "open") {
  const child = fork(path.join(import.meta.dirname, "ingest-load.ts"), {
    execArgv: ["--conditions=@spanlens/source", "--import", "tsx"],
    env: { ...process.env, BENCH_LOAD_CLIENT: client, BENCH_TEMPLATES: "100" },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  await next(child, "ready");
  child.send({ type: "prepare", requests: Math.ceil(REQUESTS_PER_SECOND * DURATION_S * 1.5) } satisfies TLoadCommand);
  await next(child, "prepared");
  const common = { baseUrl, secretKey: "sk-bench", durationS: DURATION_S };
  child.send(
    (loop === "closed"
      ? { type: "closed", ...common, concurrency: 32, maxRequests: 0 }
      : { type: "open", ...common, requestsPerSecond: REQUESTS_PER_SECOND }) satisfies TLoadCommand,
  );
  const done = await next(child, "done");
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
