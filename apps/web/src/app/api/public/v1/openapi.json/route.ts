import { buildOpenApiDocument } from "../../../../../server/public-api/openapi";

export const dynamic = "force-dynamic";

let cachedDocument: ReturnType<typeof buildOpenApiDocument> | undefined;

export function GET(): Response {
  cachedDocument ??= buildOpenApiDocument();
  return Response.json(cachedDocument, { headers: { "cache-control": "public, max-age=300" } });
}
