import { randomUUID } from "node:crypto";
import type { Server } from "node:http";
import { closePrisma, createApiKey, getPrisma } from "@spanlens/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startIngest } from "./server.js";

let server: Server;
let baseUrl = "";
let orgId = "";
let secretKey = "";

beforeAll(async () => {
  const org = await getPrisma().organization.create({ data: { name: `ingest ${randomUUID()}` } });
  const project = await getPrisma().project.create({ data: { orgId: org.id, name: "ingest" } });
  orgId = org.id;
  secretKey = (await createApiKey(project.id)).secretKey;
  server = await startIngest({ port: 0, hostname: "127.0.0.1" });
  const address = server.address();
  if (!address || typeof address === "string") throw new Error("no port");
  baseUrl = `http://127.0.0.1:${address.port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await getPrisma().organization.delete({ where: { id: orgId } });
  await closePrisma();
});

describe("OTLP receiver transport checks", () => {
  it("answers 415 naming the supported content types", async () => {
    const response = await fetch(`${baseUrl}/v1/traces`, {
      method: "POST",
      headers: { "Content-Type": "text/plain", Authorization: `Bearer ${secretKey}` },
      body: "hello",
    });
    expect(response.status).toBe(415);
    expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(
      /application\/x-protobuf or application\/json/,
    );
  });

  it("answers 401 without a key and with an unknown key", async () => {
    for (const headers of [{}, { Authorization: "Bearer sk-sl-nope" }]) {
      const response = await fetch(`${baseUrl}/v1/traces`, {
        method: "POST",
        headers: { "Content-Type": "application/json", ...headers },
        body: "{}",
      });
      expect(response.status).toBe(401);
    }
  });

  it("rejects methods other than POST", async () => {
    const response = await fetch(`${baseUrl}/v1/traces`, { method: "GET" });
    expect(response.status).toBe(400);
    expect(response.headers.get("allow")).toBe("POST");
  });

  it("answers 404 for unknown paths and 200 on /health", async () => {
    expect((await fetch(`${baseUrl}/v1/metrics`, { method: "POST" })).status).toBe(404);
    expect((await fetch(`${baseUrl}/health`)).status).toBe(200);
  });
});
