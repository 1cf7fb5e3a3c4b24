import { describe, expect, it } from "vitest";
import { z } from "zod";
import { buildOpenApiDocument } from "./openapi";
import { publicApiRoutes } from "./registry";
import { type TPublicApiDeps, withPublicApi } from "./with-public-api";

const allowAll: TPublicApiDeps = { authenticate: async () => ({ projectId: "p", apiKeyId: "k" }) };

const getThing = withPublicApi(
  {
    method: "GET",
    path: "/things/{thingId}",
    summary: "Get a thing",
    request: {
      params: z.object({ thingId: z.string() }),
      query: z.object({ limit: z.coerce.number().int().max(100).optional() }),
    },
    response: z.object({ id: z.string() }),
  },
  async ({ params }) => ({ id: params.thingId }),
  allowAll,
);

const createThing = withPublicApi(
  {
    method: "POST",
    path: "/things",
    summary: "Create a thing",
    request: { body: z.object({ name: z.string() }) },
    response: z.object({ id: z.string() }),
    successStatus: 201,
  },
  async () => ({ id: "t1" }),
  allowAll,
);

describe("buildOpenApiDocument", () => {
  it("describes each route with its parameters, body and responses", () => {
    const document = buildOpenApiDocument([getThing, createThing]);
    expect(document.openapi).toBe("3.1.0");

    const getOperation = document.paths?.["/api/public/v1/things/{thingId}"]?.get;
    const parameters = (getOperation?.parameters ?? []) as { in: string; name: string; required?: boolean }[];
    expect(parameters).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ in: "path", name: "thingId", required: true }),
        expect.objectContaining({ in: "query", name: "limit" }),
      ]),
    );
    expect(getOperation?.responses?.["200"]).toBeDefined();
    expect(getOperation?.responses?.["401"]).toBeDefined();

    const postOperation = document.paths?.["/api/public/v1/things"]?.post;
    expect(postOperation?.requestBody).toBeDefined();
    expect(postOperation?.responses?.["201"]).toBeDefined();
  });

  it("declares bearer and basic authentication", () => {
    const document = buildOpenApiDocument([]);
    expect(document.components?.securitySchemes).toEqual({
      bearerAuth: expect.objectContaining({ type: "http", scheme: "bearer" }),
      basicAuth: expect.objectContaining({ type: "http", scheme: "basic" }),
    });
    expect(document.security).toEqual([{ bearerAuth: [] }, { basicAuth: [] }]);
  });

  it("includes every registered route without loading the route modules", () => {
    const document = buildOpenApiDocument();
    for (const { definition } of publicApiRoutes) {
      const operation =
        document.paths?.[`/api/public/v1${definition.path}`]?.[definition.method.toLowerCase() as "get"];
      expect(operation?.summary).toBe(definition.summary);
    }
    expect(document.paths?.["/api/public/v1/whoami"]?.get).toBeDefined();
  });
});
