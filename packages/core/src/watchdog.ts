import { hostname } from "node:os";
import { Worker } from "node:worker_threads";
import { childLogger } from "./logger.js";

const log = childLogger("watchdog");

/**
 * The watchdog thread, plain JavaScript run from this string so that it needs no loader. It
 * reads the event loop's beat from shared memory; once the beat has stood still for the limit,
 * it writes one fatal log line straight to stdout (the thread's `console` would pass through
 * the blocked loop) and kills the process.
 */
const WATCHDOG_THREAD = `
const { workerData } = require("node:worker_threads");
const { writeSync } = require("node:fs");
const { beats, limitMs, checkMs, line } = workerData;
let seen = Atomics.load(beats, 0);
let since = performance.now();
let lastCheck = since;
setInterval(() => {
  const now = performance.now();
  const late = now - lastCheck > 3 * checkMs;
  lastCheck = now;
  const beat = Atomics.load(beats, 0);
  // A late check means this thread did not run either: the whole process was paused (SIGSTOP,
  // a suspended machine) or starved of CPU, which is not the event loop's doing.
  if (beat !== seen || late) {
    seen = beat;
    since = now;
    return;
  }
  const blockedMs = Math.round(now - since);
  if (blockedMs < limitMs) return;
  writeSync(1, JSON.stringify({ level: 60, time: Date.now(), pid: process.pid, ...line, blockedMs }) + "\\n");
  process.kill(process.pid, "SIGKILL");
}, checkMs);
`;

/**
 * Kills the process with SIGKILL once its event loop has not run for `limitMs`.
 *
 * A process whose loop is stuck (a payload that decoding or normalizing never finishes, a loop
 * in any code) answers nothing, and a worker renews no job lock: its jobs are handed to other
 * workers, which get stuck on the same payload in turn, while the stuck processes stay up. An
 * orchestrator with a liveness probe restarts them; `docker compose` and process managers only
 * restart a process that exits. Killed, it is restarted, and a job that stops every worker
 * holding it runs apart and then fails alone, as one that crashes them does (see `runsApart`).
 *
 * The loop beats into shared memory and a thread watches the beat: nothing on the blocked loop
 * itself can notice it is blocked. No maintained package does this from a second thread
 * (event-loop monitors measure delay on the loop they watch, after it is free again). Neither
 * the beat nor the thread keeps the process up.
 */
export function startEventLoopWatchdog(options: {
  limitMs: number;
  /** The setting the limit came from, named in the log line. */
  setting: string;
  service?: string;
}): void {
  const beats = new Int32Array(new SharedArrayBuffer(4));
  const checkMs = Math.max(10, Math.min(1000, Math.floor(options.limitMs / 10)));
  const beat = setInterval(() => Atomics.add(beats, 0, 1), checkMs);
  beat.unref();
  const line = {
    hostname: hostname(),
    service: options.service ?? process.env.SPANLENS_SERVICE ?? "spanlens",
    component: "watchdog",
    limitMs: options.limitMs,
    msg: `the event loop has not run for the watchdog's limit (${options.setting}): killing the process so that it is restarted`,
  };
  const thread = new Worker(WATCHDOG_THREAD, {
    eval: true,
    // Not the process's flags: the thread is CommonJS and needs no loader.
    execArgv: [],
    workerData: { beats, limitMs: options.limitMs, checkMs, line },
  });
  thread.on("error", (error) =>
    log.error({ err: error }, "the event-loop watchdog stopped: a stuck loop will not be killed"),
  );
  thread.unref();
}
