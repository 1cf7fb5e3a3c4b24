/** The benchmark's sidecar processes: the receiver's and the worker's production entry points, the engine over HTTP. */
import { type ChildProcess, type SpawnOptions, spawn } from "node:child_process";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

/**
 * The receiver as its own process on BENCH_RECEIVER_PORT, sharing the pipeline's queue prefix.
 * `nodeFlags` go to Node (GC tracing, a heap setting to try).
 */
export async function startReceiverProcess(
  port: number,
  nodeFlags: readonly string[],
  cpuProfileDir?: string,
  grpcPort: number | null = null,
): Promise<{ child: ChildProcess; baseUrl: string }> {
  const child = spawnEntryPoint(
    "apps/ingest/src/main.ts",
    [...nodeFlags, ...(cpuProfileDir ? ["--cpu-prof", `--cpu-prof-dir=${cpuProfileDir}`] : [])],
    { INGEST_PORT: String(port), INGEST_GRPC_PORT: grpcPort === null ? "off" : String(grpcPort), HOST: "127.0.0.1" },
  );
  const baseUrl = `http://127.0.0.1:${port}`;
  await waitUntilHealthy(child, `${baseUrl}/health`, "receiver");
  return { child, baseUrl };
}

/**
 * Niceness of the worker and ClickHouse processes (BENCH_BACKGROUND_NICE, default 0): with
 * both cores shared, a positive value lets the receiver run first whenever it has work, as
 * it would on cores of its own. Set at exec through nice(1), so every thread the process
 * starts inherits it (Linux keeps a niceness per thread).
 */
export const BACKGROUND_NICE = Number(process.env.BENCH_BACKGROUND_NICE ?? 0) || 0;

/**
 * The scheduling policy of the worker and ClickHouse processes (BENCH_BACKGROUND_POLICY):
 * `other` (the default, SCHED_OTHER) or `batch` (SCHED_BATCH, through chrt(1) at exec, so
 * every thread inherits it). A batch thread keeps its share of the CPU, unlike a niceness,
 * but does not preempt the thread running when it wakes: the receiver, in the middle of a
 * request, is not interrupted by the batch work that its own jobs wake.
 */
export const BACKGROUND_POLICY = process.env.BENCH_BACKGROUND_POLICY === "batch" ? "batch" : "other";

/**
 * How the kernel schedules the benchmark's processes (BENCH_SCHEDULING). `shared`, the
 * default: all of them in this process's session, so every thread competes with every other
 * one alone, and the engine's many threads outweigh the receiver's one. `per-service`: each
 * service (receiver, worker, ClickHouse, load generator) starts in a session of its own,
 * which a kernel with autogroup scheduling (`/proc/sys/kernel/sched_autogroup_enabled`)
 * schedules as a group of its own, the way containers and systemd units each get a CPU
 * cgroup of equal weight. Compared in the twelfth session's runs: no difference in the
 * half-load tail or in (b) that the hour-to-hour spread did not swamp (docs/benchmarks.md).
 */
export const SCHEDULING = process.env.BENCH_SCHEDULING === "per-service" ? "per-service" : "shared";

/** Spawn options that put a service in its own scheduling group under `per-service`. */
export const SERVICE_SPAWN_OPTIONS: Pick<SpawnOptions, "detached"> = { detached: SCHEDULING === "per-service" };

/**
 * Node with these arguments; background processes through nice(1) when BENCH_BACKGROUND_NICE
 * is set and chrt(1) when BENCH_BACKGROUND_POLICY is `batch`.
 */
function spawnNode(args: readonly string[], background: boolean, options: SpawnOptions): ChildProcess {
  const withGroup = { ...options, ...SERVICE_SPAWN_OPTIONS };
  const command = [process.execPath, ...args];
  if (background && BACKGROUND_NICE !== 0) command.unshift("nice", "-n", String(BACKGROUND_NICE));
  if (background && BACKGROUND_POLICY === "batch") command.unshift("chrt", "--batch", "0");
  const [file, ...rest] = command as [string, ...string[]];
  return spawn(file, rest, withGroup);
}

/** A service's entry point (relative to the repository root) run from its TypeScript sources. */
function spawnEntryPoint(
  entry: string,
  nodeFlags: readonly string[],
  env: Record<string, string>,
  background = false,
): ChildProcess {
  return spawnNode(
    [...nodeFlags, "--conditions=@spanlens/source", "--import", "tsx", path.join(import.meta.dirname, "..", entry)],
    background,
    { env: { ...process.env, ...env }, stdio: ["ignore", "inherit", "inherit"] },
  );
}

/** Polls a child's health URL until it answers 200; fails if the child exits or takes over 30 s. */
async function waitUntilHealthy(child: ChildProcess, url: string, name: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}`);
    const healthy = await fetch(url).then(
      (response) => response.ok,
      () => false,
    );
    if (healthy) return;
    if (Date.now() > deadline) {
      // Not left behind holding its port.
      child.kill("SIGKILL");
      throw new Error(`${name} did not start within 30 s`);
    }
    await sleep(200);
  }
}

/** The embedded engine in its own process behind ClickHouse's HTTP interface, in a fresh directory. */
export async function startClickHouseProcess(
  port: number,
): Promise<{ child: ChildProcess; url: string; dataDir: string }> {
  const dataDir = await mkdtemp(path.join(tmpdir(), "spanlens-bench-clickhouse-"));
  const child = spawnNode(
    [
      "--conditions=@spanlens/source",
      "--import",
      "tsx",
      path.join(import.meta.dirname, "clickhouse-http.ts"),
      dataDir,
      String(port),
      "spanlens",
    ],
    true,
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

/**
 * The worker as its own process, its production entry point apps/worker/src/main.ts, writing
 * to the ClickHouse at `clickhouseUrl`, as the scaled layout deploys it. `nodeFlags` go to
 * Node (a CPU profile, or a heap limit to try).
 */
export async function startWorkerProcess(
  clickhouseUrl: string,
  healthPort: number,
  nodeFlags: readonly string[],
): Promise<{ child: ChildProcess }> {
  const child = spawnEntryPoint(
    "apps/worker/src/main.ts",
    nodeFlags,
    { CLICKHOUSE_URL: clickhouseUrl, WORKER_HEALTH_PORT: String(healthPort) },
    true,
  );
  await waitUntilHealthy(child, `http://127.0.0.1:${healthPort}/`, "worker");
  return { child };
}

/**
 * Sends SIGTERM and waits up to 15 s for the process to exit, then kills it, so the next
 * run finds its ports free; a process that needed the kill is named on stderr.
 */
export async function terminate(child: ChildProcess, name: string): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  if ((await Promise.race([exited.then(() => "exited"), sleep(15_000, "running")])) === "running") {
    console.error(`${name} did not exit within 15 s of SIGTERM: killed`);
    child.kill("SIGKILL");
    await exited;
  }
}
