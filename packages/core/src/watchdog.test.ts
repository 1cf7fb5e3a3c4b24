import { type ChildProcess, spawn } from "node:child_process";
import { describe, expect, it } from "vitest";

const WATCHDOG = new URL("./watchdog.ts", import.meta.url).href;

/**
 * Runs `body` in a Node process whose watchdog allows 300 ms; resolves with how it ended and its
 * stdout. `onStart` gets the process as it starts.
 */
function runWatched(
  body: string,
  onStart: (child: ChildProcess) => void = () => undefined,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string }> {
  const script = `import { startEventLoopWatchdog } from ${JSON.stringify(WATCHDOG)};
startEventLoopWatchdog({ limitMs: 300, setting: "TEST_BLOCKED_EXIT_MS", service: "watchdog-test" });
${body}`;
  const child = spawn(
    process.execPath,
    ["--conditions=@spanlens/source", "--import", "tsx", "--input-type=module", "-e", script],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  onStart(child);
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
    expect(line.msg).toMatch(/has not run for the watchdog's limit \(TEST_BLOCKED_EXIT_MS\)/);
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

  it("does not count a pause of the whole process (a stopped or suspended machine) as a blocked loop", async () => {
    // The loop is busy with ~100 ms of work when the process is stopped for a second, five times
    // the limit. Resumed, the watchdog thread may look before the loop beats again: only the
    // ~100 ms of work are the loop's, so the process lives and ends by itself.
    const { code, signal, stdout } = await runWatched(
      `
const spin = (count) => { let x = 0; for (let i = 0; i < count; i += 1) x = (x + i * 7) % 1000003; return x; };
const started = performance.now();
spin(1e6);
const perMs = 1e6 / (performance.now() - started);
setTimeout(() => {
  process.stdout.write("busy\\n");
  spin(Math.round(100 * perMs));
  setTimeout(() => undefined, 500);
}, 100);`,
      (child) => {
        child.stdout?.once("data", () => {
          child.kill("SIGSTOP");
          setTimeout(() => child.kill("SIGCONT"), 1000);
        });
      },
    );
    expect([code, signal, stdout]).toEqual([0, null, "busy\n"]);
  }, 20_000);
});
