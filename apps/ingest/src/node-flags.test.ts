import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { INGEST_NODE_FLAGS } from "./node-flags.js";

const read = (path: string) => readFileSync(new URL(path, import.meta.url), "utf8");

describe("INGEST_NODE_FLAGS", () => {
  it("are the flags the receiver's start script runs Node with", () => {
    const exec = read("../bin/start.sh")
      .split("\n")
      .find((line) => line.startsWith("exec node "));
    expect(exec).toBe(`exec node ${INGEST_NODE_FLAGS.join(" ")} "$dist/main.js"`);
  });

  it("reach the receiver's image and its package start script through that script", () => {
    const dockerfile = read("../../../infra/docker/Dockerfile");
    const ingestTarget = dockerfile.slice(
      dockerfile.indexOf("FROM app AS ingest"),
      dockerfile.indexOf("FROM app AS worker"),
    );
    expect(ingestTarget).toContain('CMD ["sh", "apps/ingest/bin/start.sh"]');
    expect(JSON.parse(read("../package.json")).scripts.start).toBe("sh bin/start.sh");
  });
});
