import path from "node:path";
import { createClient } from "@clickhouse/client";
import { EnvError } from "@spanlens/core";
import { describe, expect, it } from "vitest";
import {
  applyEmbeddedMallocConf,
  describeClickHouseTarget,
  EMBEDDED_MALLOC_CONF,
  isEmbeddedClient,
  resolveClickHouseOptions,
} from "./client.js";

describe("isEmbeddedClient", () => {
  // The embedded engine's clients are marked when created (its integration tests check that side).
  it("does not take a client of a ClickHouse server for the embedded engine", async () => {
    const client = createClient({ url: "http://127.0.0.1:1" });
    try {
      expect(isEmbeddedClient(client)).toBe(false);
    } finally {
      await client.close();
    }
  });
});

describe("resolveClickHouseOptions", () => {
  it("defaults to the embedded engine under <SPANLENS_DATA_DIR>/clickhouse, resolved against cwd", () => {
    expect(resolveClickHouseOptions({ SPANLENS_DATA_DIR: "var/data" })).toEqual({
      mode: "embedded",
      path: path.resolve("var/data", "clickhouse"),
      database: "spanlens",
    });
    expect(resolveClickHouseOptions({})).toMatchObject({ path: path.resolve(".data", "clickhouse") });
  });

  it("uses the server when CLICKHOUSE_URL is set, treating empty variables as unset", () => {
    expect(
      resolveClickHouseOptions({
        CLICKHOUSE_URL: "https://ch.internal:8443",
        CLICKHOUSE_USER: "spanlens",
        CLICKHOUSE_PASSWORD: "",
        CLICKHOUSE_DATABASE: "telemetry",
        CLICKHOUSE_CLUSTER: "main",
      }),
    ).toEqual({
      mode: "server",
      url: "https://ch.internal:8443",
      username: "spanlens",
      database: "telemetry",
      cluster: "main",
    });
  });

  it("names the variable when the URL or database name is invalid", () => {
    expect(() => resolveClickHouseOptions({ CLICKHOUSE_URL: "tcp://ch:9000" })).toThrow(EnvError);
    expect(() => resolveClickHouseOptions({ CLICKHOUSE_URL: "tcp://ch:9000" })).toThrow(/CLICKHOUSE_URL is invalid/);
    expect(() => resolveClickHouseOptions({ CLICKHOUSE_DATABASE: "x; DROP" })).toThrow(
      /CLICKHOUSE_DATABASE is invalid/,
    );
  });
});

describe("describeClickHouseTarget", () => {
  it("never shows credentials from the URL", () => {
    const described = describeClickHouseTarget({
      mode: "server",
      url: "http://admin:s3cret@ch:8123/",
      database: "spanlens",
    });
    expect(described).toBe("server http://ch:8123, database spanlens");
  });
});

describe("applyEmbeddedMallocConf", () => {
  it("keeps freed pages for a minute unless the operator chose the allocator's options", () => {
    const unset: NodeJS.ProcessEnv = {};
    applyEmbeddedMallocConf(unset);
    expect(unset.JE_MALLOC_CONF).toBe("dirty_decay_ms:60000");
    expect(EMBEDDED_MALLOC_CONF).toBe("dirty_decay_ms:60000");

    const chosen: NodeJS.ProcessEnv = { JE_MALLOC_CONF: "dirty_decay_ms:5000" };
    applyEmbeddedMallocConf(chosen);
    expect(chosen.JE_MALLOC_CONF).toBe("dirty_decay_ms:5000");

    // An empty value is the operator's choice too: jemalloc's compiled-in defaults.
    const empty: NodeJS.ProcessEnv = { JE_MALLOC_CONF: "" };
    applyEmbeddedMallocConf(empty);
    expect(empty.JE_MALLOC_CONF).toBe("");
  });
});
