import { randomUUID } from "node:crypto";
import type { Server } from "node:http";
import { closePrisma, createApiKey, getPrisma } from "@spanlens/db";
import { closeRedis, deleteQueuePrefix, getRedis, queuePrefix } from "@spanlens/queue";
import { afterAll, beforeAll } from "vitest";
import { closeIntake } from "../src/intake.js";
import { startIngest } from "../src/server.js";

export function baseUrlOf(listening: Server): string {
  const address = listening.address();
  if (!address || typeof address === "string") throw new Error("no port");
  return `http://127.0.0.1:${address.port}`;
}

/**
 * A receiver with its default settings against real Postgres and Redis, for a test file: its
 * own queue prefix, organization, project and key, all removed after the file's tests.
 * Read `baseUrl` and `secretKey` inside tests, once `beforeAll` has run.
 */
export function useTestReceiver(): {
  readonly baseUrl: string;
  readonly secretKey: string;
  /** Another project of the same organization, and its key's secret. */
  createProjectKey(): Promise<string>;
} {
  let server: Server | undefined;
  let orgId = "";
  const receiver = {
    baseUrl: "",
    secretKey: "",
    async createProjectKey() {
      const project = await getPrisma().project.create({ data: { orgId, name: "ingest" } });
      return (await createApiKey(project.id)).secretKey;
    },
  };
  beforeAll(async () => {
    process.env.SPANLENS_QUEUE_PREFIX = `test-${randomUUID()}`;
    const org = await getPrisma().organization.create({ data: { name: `ingest ${randomUUID()}` } });
    const project = await getPrisma().project.create({ data: { orgId: org.id, name: "ingest" } });
    orgId = org.id;
    receiver.secretKey = (await createApiKey(project.id)).secretKey;
    server = await startIngest({ port: 0, hostname: "127.0.0.1" });
    receiver.baseUrl = baseUrlOf(server);
  });
  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    await closeIntake();
    await deleteQueuePrefix(queuePrefix(), getRedis());
    await closeRedis();
    await getPrisma().organization.delete({ where: { id: orgId } });
    await closePrisma();
  });
  return receiver;
}
