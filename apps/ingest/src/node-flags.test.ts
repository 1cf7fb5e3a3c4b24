import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { INGEST_NODE_FLAGS } from "./node-flags.js";

const read = (path: string) => readFileSync(new URL(path, import.meta.url), "utf8");

// The start script run against a stand-in entry point that prints the V8 flags Node got.
const root = mkdtempSync(join(tmpdir(), "ingest-start-"));
mkdirSync(join(root, "bin"));
mkdirSync(join(root, "dist"));
copyFileSync(new URL("../bin/start.sh", import.meta.url), join(root, "bin", "start.sh"));
writeFileSync(join(root, "dist", "main.js"), "console.log(JSON.stringify(process.execArgv));\n");
afterAll(() => rmSync(root, { recursive: true, force: true }));

function startScriptArgs(nodeOptions?: string): string[] {
  const env = { ...process.env, NODE_OPTIONS: nodeOptions };
  if (nodeOptions === undefined) delete env.NODE_OPTIONS;
  return JSON.parse(execFileSync("sh", [join(root, "bin", "start.sh")], { env, encoding: "utf8" }));
}

describe("the receiver's start script", () => {
  it("runs Node with INGEST_NODE_FLAGS", () => {
    expect(startScriptArgs()).toEqual([...INGEST_NODE_FLAGS]);
    expect(startScriptArgs("--enable-source-maps")).toEqual([...INGEST_NODE_FLAGS]);
  });

  it("leaves the young generation to a --max-semi-space-size in NODE_OPTIONS", () => {
    expect(startScriptArgs("--max-semi-space-size=32")).toEqual([]);
  });

  it("is what the receiver's image and its package start script run", () => {
    const dockerfile = read("../../../infra/docker/Dockerfile");
    const ingestTarget = dockerfile.slice(
      dockerfile.indexOf("FROM app AS ingest"),
      dockerfile.indexOf("FROM app AS worker"),
    );
    expect(ingestTarget).toContain('CMD ["sh", "apps/ingest/bin/start.sh"]');
    expect(JSON.parse(read("../package.json")).scripts.start).toBe("sh bin/start.sh");
  });
});
