import { execFileSync } from "node:child_process";

/**
 * For benchmarks that measure each variant in a fresh process (chdb opens one data directory
 * per process, and a fresh process keeps nothing of the variant before): the parent runs its
 * own module again with `--variant` and the variant's arguments, and reads the JSON line the
 * child prints last; its stderr (progress) passes through.
 */
export function runVariant(moduleFile: string, args: string[]): Record<string, unknown> {
  const output = execFileSync(process.execPath, [...process.execArgv, moduleFile, "--variant", ...args], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
    env: { ...process.env, LOG_LEVEL: "warn" },
  });
  return JSON.parse(output.trim().split("\n").at(-1) ?? "{}");
}

/** In a child started by `runVariant`, the variant's arguments; null in the parent. */
export function variantArguments(): string[] | null {
  const at = process.argv.indexOf("--variant");
  return at >= 0 ? process.argv.slice(at + 1) : null;
}
