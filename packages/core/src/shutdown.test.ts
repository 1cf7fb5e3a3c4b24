import { spawn } from "node:child_process";
import { once } from "node:events";
import path from "node:path";
import { describe, expect, it } from "vitest";

const MODULE = path.join(import.meta.dirname, "shutdown.ts");

/** Runs `code` in a new Node process with `exitIfStopOutlasts` imported; its exit code, output and time. */
async function run(code: string): Promise<{ code: number | null; stdout: string; ms: number }> {
  const started = performance.now();
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      "--input-type=module",
      "-e",
      `import { exitIfStopOutlasts } from ${JSON.stringify(MODULE)};\n${code}`,
    ],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  let stdout = "";
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString("utf8");
  });
  const [exitCode] = (await once(child, "exit")) as [number | null];
  return { code: exitCode, stdout, ms: performance.now() - started };
}

describe("exitIfStopOutlasts", () => {
  it("exits with code 1 once a stop that never finishes has taken the time given, after saying why", async () => {
    // A connection that retries for ever stands for the stop that hangs.
    const result = await run(
      `exitIfStopOutlasts(300, () => console.log("stop took too long")); setInterval(() => {}, 50);`,
    );
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("stop took too long\n");
    expect(result.ms).toBeGreaterThanOrEqual(300);
  });

  it("does not keep alive a process whose stop has finished", async () => {
    // Held by the timer, the process would outlive the test's timeout and then exit with 1.
    const result = await run(`exitIfStopOutlasts(60_000, () => console.log("stop took too long"));`);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("");
  });
});
