import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";

const WATCHDOG = new URL("./watchdog.ts", import.meta.url).href;

/** Runs `body` in a Node process whose watchdog allows 300 ms; resolves with how it ended and its stdout. */
function runWatched(body: string): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string }> {
  const script = `import { startEventLoopWatchdog } from ${JSON.stringify(WATCHDOG)};
startEventLoopWatchdog({ limitMs: 300, service: "watchdog-test" });
${body}`;
  const child = spawn(
    process.execPath,
    ["--conditions=@spanlens/source", "--import", "tsx", "--input-type=module", "-e", script],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  let stdout = "";
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString("utf8");
  });
  return new Promise((resolve) => child.once("close", (code, signal) => resolve({ code, signal, stdout })));
}

describe("event-loop watchdog", () => {
  it("kills a process whose event loop stops running, saying so in a fatal log line", async () => {
    const { code, signal, stdout } = await runWatched("setTimeout(() => { for (;;) {} }, 100);");
    expect([code, signal]).toEqual([null, "SIGKILL"]);
    const line = JSON.parse(stdout.trim());
    expect(line).toMatchObject({ level: 60, service: "watchdog-test", component: "watchdog", limitMs: 300 });
    expect(line.blockedMs).toBeGreaterThanOrEqual(300);
    expect(line.msg).toMatch(/has not run for the watchdog's limit/);
  }, 20_000);

  it("leaves a process whose loop is only ever busy for a while, and does not keep it up", async () => {
    // Busy 50 ms at a time for two seconds, then nothing left to run: the process exits itself.
    const { code, signal, stdout } = await runWatched(`
const until = Date.now() + 2000;
const burst = () => {
  const end = Date.now() + 50;
  while (Date.now() < end) {}
  if (Date.now() < until) setTimeout(burst, 5);
};
burst();`);
    expect([code, signal, stdout]).toEqual([0, null, ""]);
  }, 20_000);
});
