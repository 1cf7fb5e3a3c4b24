import { createDocument, type ZodOpenApiOperationObject, type ZodOpenApiPathsObject } from "zod-openapi";
import { ZPublicApiError } from "./error-schema";
import { publicApiRoutes } from "./registry";
import type { TPublicApiDefinition, TPublicApiRoute } from "./with-public-api";

export const PUBLIC_API_PREFIX = "/api/public/v1";

const errorResponse = (description: string) => ({
  description,
  content: { "application/json": { schema: ZPublicApiError } },
});

function toOperation(definition: TPublicApiDefinition): ZodOpenApiOperationObject {
  const { query, params, body } = definition.request;
  const operation: ZodOpenApiOperationObject = {
    summary: definition.summary,
    responses: {
      [String(definition.successStatus ?? 200)]: {
        description: "Success",
        content: { "application/json": { schema: definition.response } },
      },
      "400": errorResponse("Invalid request; the message names the field"),
      "401": errorResponse("Missing or invalid API key"),
      "500": errorResponse("Internal server error"),
    },
  };
  if (definition.tags) operation.tags = definition.tags;
  if (query || params) {
    operation.requestParams = {};
    if (query) operation.requestParams.query = query;
    if (params) operation.requestParams.path = params;
  }
  if (body) operation.requestBody = { content: { "application/json": { schema: body } } };
  return operation;
}

/** Builds the OpenAPI 3.1 document from the same zod schemas the endpoints parse with. */
export function buildOpenApiDocument(routes: readonly TPublicApiRoute[] = publicApiRoutes, serverUrl?: string) {
  const paths: ZodOpenApiPathsObject = {};
  for (const { definition } of routes) {
    const fullPath = `${PUBLIC_API_PREFIX}${definition.path}` as const;
    paths[fullPath] = { ...paths[fullPath], [definition.method.toLowerCase()]: toOperation(definition) };
  }
  return createDocument({
    openapi: "3.1.0",
    info: {
      title: "Spanlens public API",
      version: "1.0.0",
      description:
        "Authenticate with `Authorization: Bearer <secret key>` or HTTP Basic `<public key>:<secret key>`. " +
        "Every request is scoped to the project the key belongs to.",
    },
    ...(serverUrl ? { servers: [{ url: serverUrl }] } : {}),
    security: [{ bearerAuth: [] }, { basicAuth: [] }],
    components: {
      securitySchemes: {
        bearerAuth: { type: "http", scheme: "bearer", description: "Secret key (`sk-sl-…`)" },
        basicAuth: { type: "http", scheme: "basic", description: "Public key as user name, secret key as password" },
      },
    },
    paths,
  });
}
