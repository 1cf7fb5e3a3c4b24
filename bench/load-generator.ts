/** Starting and talking to the load generator process (bench/ingest-load.ts) from a benchmark. */
import { type ChildProcess, fork } from "node:child_process";
import path from "node:path";
import type { TLoadCommand, TLoadMessage } from "./ingest-load.js";
import { SERVICE_SPAWN_OPTIONS } from "./ingest-processes.js";

type TMessage<TType extends TLoadMessage["type"]> = Extract<TLoadMessage, { type: TType }>;

/** Resolves with the generator's next message of this type. */
export function nextLoadMessage<TType extends TLoadMessage["type"]>(
  generator: ChildProcess,
  type: TType,
): Promise<TMessage<TType>> {
  return new Promise((resolve) => {
    const onMessage = (message: TLoadMessage) => {
      if (message.type !== type) return;
      generator.off("message", onMessage);
      resolve(message as TMessage<TType>);
    };
    generator.on("message", onMessage);
  });
}

/** Forks the generator (with `env` over this process's) and resolves once its templates are built. */
export async function forkLoadGenerator(
  env: Record<string, string> = {},
): Promise<{ child: ChildProcess; ready: TMessage<"ready"> }> {
  const child = fork(path.join(import.meta.dirname, "ingest-load.ts"), {
    execArgv: ["--conditions=@spanlens/source", "--import", "tsx"],
    env: { ...process.env, ...env },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
    ...SERVICE_SPAWN_OPTIONS,
  });
  const exited = new Promise<never>((_, reject) => {
    child.once("exit", (code) => reject(new Error(`load generator exited with ${code}`)));
  });
  exited.catch(() => undefined);
  const ready = await Promise.race([nextLoadMessage(child, "ready"), exited]);
  return { child, ready };
}

/** Has the generator build `requests` unique requests ahead of its next run. */
export function prepareLoad(generator: ChildProcess, requests: number): Promise<TMessage<"prepared">> {
  const prepared = nextLoadMessage(generator, "prepared");
  generator.send({ type: "prepare", requests } satisfies TLoadCommand);
  return prepared;
}
