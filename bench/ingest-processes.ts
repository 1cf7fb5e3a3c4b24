/** The benchmark's sidecar processes: the receiver's production entry point and the engine over HTTP. */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The receiver as its own process on BENCH_RECEIVER_PORT, sharing the pipeline's queue prefix. */
export async function startReceiverProcess(
  port: number,
  cpuProfileDir?: string,
): Promise<{ child: ChildProcess; baseUrl: string }> {
  const child = spawn(
    process.execPath,
    [
      "--conditions=@spanlens/source",
      "--import",
      "tsx",
      ...(cpuProfileDir ? ["--cpu-prof", `--cpu-prof-dir=${cpuProfileDir}`] : []),
      path.join(import.meta.dirname, "../apps/ingest/src/main.ts"),
    ],
    {
      env: { ...process.env, INGEST_PORT: String(port), HOST: "127.0.0.1" },
      stdio: ["ignore", "inherit", "inherit"],
    },
  );
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`receiver exited with ${child.exitCode}`);
    const healthy = await fetch(`${baseUrl}/health`).then(
      (response) => response.ok,
      () => false,
    );
    if (healthy) return { child, baseUrl };
    if (Date.now() > deadline) throw new Error("receiver did not start within 30 s");
    await sleep(200);
  }
}

/** The embedded engine in its own process behind ClickHouse's HTTP interface, in a fresh directory. */
export async function startClickHouseProcess(
  port: number,
): Promise<{ child: ChildProcess; url: string; dataDir: string }> {
  const dataDir = await mkdtemp(path.join(tmpdir(), "spanlens-bench-clickhouse-"));
  const child = spawn(
    process.execPath,
    ["--import", "tsx", path.join(import.meta.dirname, "clickhouse-http.ts"), dataDir, String(port), "spanlens"],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on("data", (chunk: Buffer) => {
      if (chunk.toString().includes("listening")) resolve();
    });
    child.on("exit", (code) => reject(new Error(`ClickHouse process exited with ${code}`)));
  });
  return { child, url: `http://127.0.0.1:${port}`, dataDir };
}
