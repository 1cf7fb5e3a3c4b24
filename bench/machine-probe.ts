/**
 * How fast the benchmark's own process turns the same requests into rows (decode, normalize,
 * map), measured right before and right after a load phase. These shared machines change
 * speed over minutes: in run 49 every process, the load generator and ClickHouse included,
 * spent 40–60% more CPU per span in (b) than in the runs around it, after a ceiling measured
 * at the usual speed. A phase whose probes read well below the ceiling passes' probe
 * (`decodeNormalizeMapRowsPerSecond`) ran on a slower machine, whatever the code.
 */
import { fork } from "node:child_process";
import { once } from "node:events";
import path from "node:path";
import { uniqueBodies } from "./ingest-bodies.js";
import { spanRowsOf } from "./span-rows.js";

const PROBE_REQUESTS = 1000;
const PROBE_SAMPLES = 5;
let bodies: Buffer[] | null = null;

/**
 * Rows per second, the best of five passes over the same 1,000 requests (~1.5 s in all): a
 * collection or a neighbour's burst slows one pass, a slower machine slows them all.
 */
export function probeMachineSpeed(): number {
  bodies ??= uniqueBodies(PROBE_REQUESTS);
  const probed = bodies;
  const samples = Array.from({ length: PROBE_SAMPLES }, () => {
    const start = performance.now();
    const rows = spanRowsOf(probed, "machine-probe").length;
    return rows / ((performance.now() - start) / 1000);
  });
  return Math.round(Math.max(...samples));
}

/**
 * The same probe in a new process, whose heap holds nothing of this one's: this process's
 * probe also reads how its own heap stands after a phase (its collector's work), which a
 * slower machine and a fuller heap both slow.
 */
export async function probeMachineSpeedInFreshProcess(): Promise<number> {
  const child = fork(path.join(import.meta.dirname, "machine-probe-child.ts"), {
    execArgv: ["--conditions=@spanlens/source", "--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const exited = once(child, "exit");
  const [speed] = (await Promise.race([once(child, "message"), exited])) as [unknown];
  await exited;
  if (typeof speed !== "number") throw new Error("the machine probe's process exited without an answer");
  return speed;
}

export interface TMachineProbes {
  before: number;
  after: number;
  /** The probe in a new process ({@link probeMachineSpeedInFreshProcess}) right after each of the above. */
  freshBefore: number;
  freshAfter: number;
}

/** Runs a phase between two probes, taken while no load is sent (the engine may still be merging). */
export async function withMachineProbe<T extends object>(
  phase: () => Promise<T>,
): Promise<T & { machineProbeRowsPerSecond: TMachineProbes }> {
  const before = probeMachineSpeed();
  const freshBefore = await probeMachineSpeedInFreshProcess();
  const result = await phase();
  const after = probeMachineSpeed();
  const freshAfter = await probeMachineSpeedInFreshProcess();
  return { ...result, machineProbeRowsPerSecond: { before, after, freshBefore, freshAfter } };
}
