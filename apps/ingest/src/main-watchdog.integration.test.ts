import { spawn } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:net";
import path from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";

// The receiver as its own OS process (src/main.ts) against real Postgres and Redis, its event
// loop stopped from outside through the inspector, as a request it never finished would stop it.

const ROOT = path.resolve(import.meta.dirname, "../../..");
const children = new Set<ReturnType<typeof spawn>>();

afterAll(() => {
  for (const child of children) child.kill("SIGKILL");
});

async function freePort(): Promise<number> {
  const server = createServer().listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  server.close();
  if (!address || typeof address === "string") throw new Error("no port");
  return address.port;
}

/** Sends one Chrome DevTools Protocol command over the inspector's WebSocket. */
function inspectorCommand(socket: WebSocket, id: number, method: string): Promise<void> {
  return new Promise((resolve) => {
    const onMessage = (event: MessageEvent) => {
      if ((JSON.parse(String(event.data)) as { id?: number }).id !== id) return;
      socket.removeEventListener("message", onMessage);
      resolve();
    };
    socket.addEventListener("message", onMessage);
    socket.send(JSON.stringify({ id, method }));
  });
}

describe("ingest process watchdog", () => {
  it("kills the receiver once its event loop has not run for INGEST_BLOCKED_EXIT_MS", async () => {
    const port = await freePort();
    const child = spawn(
      process.execPath,
      ["--inspect=127.0.0.1:0", "--conditions=@spanlens/source", "--import", "tsx", "apps/ingest/src/main.ts"],
      {
        cwd: ROOT,
        env: { ...process.env, INGEST_PORT: String(port), INGEST_GRPC_PORT: "off", INGEST_BLOCKED_EXIT_MS: "500" },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    children.add(child);
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      stdout += chunk.toString("utf8");
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8");
    });
    const exited = once(child, "exit") as Promise<[number | null, NodeJS.Signals | null]>;

    // Serving, and alive well past the limit while its loop runs.
    await vi.waitFor(async () => expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200), {
      timeout: 60_000,
      interval: 200,
    });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(child.exitCode).toBeNull();

    const inspectorUrl = /Debugger listening on (ws:\/\/\S+)/.exec(stderr)?.[1];
    if (!inspectorUrl) throw new Error(`no inspector address in: ${stderr}`);
    const socket = new WebSocket(inspectorUrl);
    await once(socket, "open");
    await inspectorCommand(socket, 1, "Debugger.enable");
    const pausedAt = Date.now();
    socket.send(JSON.stringify({ id: 2, method: "Debugger.pause" }));

    const [code, signal] = await exited;
    socket.close();
    expect([code, signal]).toEqual([null, "SIGKILL"]);
    // Killed at the limit, give or take the watchdog's checks, not at some later timeout.
    expect(Date.now() - pausedAt).toBeLessThan(10_000);
    const line = stdout
      .split("\n")
      .filter((text) => text.includes('"component":"watchdog"'))
      .map((text) => JSON.parse(text) as Record<string, unknown>);
    expect(line).toEqual([
      expect.objectContaining({
        level: 60,
        limitMs: 500,
        msg: expect.stringContaining("(INGEST_BLOCKED_EXIT_MS)"),
        blockedMs: expect.any(Number),
      }),
    ]);
  }, 90_000);
});
