import { randomBytes, randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  closeClickHouse,
  getClickHouse,
  initClickHouse,
  runClickHouseMigrations,
  toSpanRow,
} from "@spanlens/clickhouse";
import { normalizeSpan, type TOtlpAttributes } from "@spanlens/core";
import { closePrisma, createApiKey, getPrisma } from "@spanlens/db";

/** A fresh org/project/key and an embedded ClickHouse in a temporary directory, for one test file. */
export async function startTestProject() {
  const dataDir = await mkdtemp(path.join(tmpdir(), "spanlens-scores-"));
  const client = await initClickHouse({ mode: "embedded", path: dataDir, database: "spanlens" });
  await runClickHouseMigrations(client, { database: "spanlens" });
  const org = await getPrisma().organization.create({ data: { name: `scores ${randomUUID()}` } });
  const createProject = async () => {
    const project = await getPrisma().project.create({ data: { orgId: org.id, name: "scores" } });
    const key = await createApiKey(project.id);
    return { projectId: project.id, secretKey: key.secretKey };
  };
  const main = await createProject();
  return {
    ...main,
    createProject,
    async stop() {
      await closeClickHouse();
      await getPrisma().organization.delete({ where: { id: org.id } });
      await closePrisma();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export const randomTraceId = () => randomBytes(16).toString("hex");
export const randomSpanId = () => randomBytes(8).toString("hex");

/** Stores one root span as the worker would (normalized, then the spans row; the rollup view follows). */
export async function storeRootSpan(
  projectId: string,
  traceId: string,
  attributes: TOtlpAttributes = {},
): Promise<string> {
  const spanId = randomSpanId();
  const nowNs = BigInt(Date.now()) * 1_000_000n;
  const span = normalizeSpan({
    traceId,
    spanId,
    parentSpanId: null,
    name: "answer_question",
    kind: 2,
    startTimeUnixNano: String(nowNs - 5_000_000n),
    endTimeUnixNano: String(nowNs),
    attributes,
    events: [],
    links: [],
    status: { code: 1, message: "" },
    resource: { "service.name": "rag-bot" },
    scope: { name: "test", version: "1", attributes: {} },
  });
  await getClickHouse().insert({ table: "spans", values: [toSpanRow(projectId, span)], format: "JSONEachRow" });
  return spanId;
}

/** A request to a public route handler, authenticated with the project's key. */
export function apiRequest(secretKey: string, method: string, pathAndQuery: string, body?: unknown): Request {
  return new Request(`http://localhost/api/public/v1${pathAndQuery}`, {
    method,
    headers: { authorization: `Bearer ${secretKey}`, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}
