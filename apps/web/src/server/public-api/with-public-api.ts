import { AppError, childLogger, toErrorResponse } from "@spanlens/core";
import { authenticateApiKey } from "@spanlens/db";
import type { z } from "zod";

type TQuerySchema = z.ZodObject;
type TParamsSchema = z.ZodObject;

/** What a public endpoint declares about itself; the OpenAPI document is built from it. */
export interface TPublicApiDefinition<
  TQuery extends TQuerySchema | undefined = TQuerySchema | undefined,
  TBody extends z.ZodType | undefined = z.ZodType | undefined,
  TParams extends TParamsSchema | undefined = TParamsSchema | undefined,
  TResponse extends z.ZodType = z.ZodType,
> {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** Relative to `/api/public/v1`, with OpenAPI-style parameters: `/datasets/{datasetId}`. */
  path: `/${string}`;
  summary: string;
  tags?: string[];
  request: { query?: TQuery; body?: TBody; params?: TParams };
  response: TResponse;
  /** Status of a successful answer; 200 unless stated. */
  successStatus?: number;
}

type TParsed<TSchema> = TSchema extends z.ZodType ? z.output<TSchema> : undefined;

export interface TPublicApiRequest<TQuery, TBody, TParams> {
  projectId: string;
  apiKeyId: string;
  query: TParsed<TQuery>;
  body: TParsed<TBody>;
  params: TParsed<TParams>;
  request: Request;
}

export interface TPublicApiDeps {
  authenticate: (authorization: string | null) => Promise<{ projectId: string; apiKeyId: string }>;
}

type TRouteContext = { params: Promise<Record<string, string | string[] | undefined>> };

/** A Next route handler that also carries its definition for the OpenAPI registry. */
export type TPublicApiRoute = ((request: Request, context?: TRouteContext) => Promise<Response>) & {
  definition: TPublicApiDefinition;
};

const log = childLogger("public-api");

const defaultDeps: TPublicApiDeps = { authenticate: authenticateApiKey };

function formatIssues(location: string, error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const field = issue.path.length > 0 ? issue.path.map(String).join(".") : location;
      return `${field}: ${issue.message}`;
    })
    .join("; ");
}

function parseWith<TSchema extends z.ZodType>(location: string, schema: TSchema, input: unknown): z.output<TSchema> {
  const result = schema.safeParse(input);
  if (!result.success) throw new AppError("BAD_REQUEST", formatIssues(location, result.error));
  return result.data;
}

/** Repeated keys become arrays (`?tag=a&tag=b`); single keys stay strings. */
function searchParamsToObject(searchParams: URLSearchParams): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  for (const key of new Set(searchParams.keys())) {
    const values = searchParams.getAll(key);
    query[key] = values.length === 1 ? (values[0] as string) : values;
  }
  return query;
}

async function readJsonBody(request: Request): Promise<unknown> {
  const text = await request.text();
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new AppError("BAD_REQUEST", "body: invalid JSON");
  }
}

function json(status: number, body: unknown): Response {
  return Response.json(body, { status, headers: { "cache-control": "no-store" } });
}

/**
 * The one wrapper every public REST endpoint goes through: it authenticates the API key
 * (which fixes the project), parses query, params and body with the declared schemas,
 * and maps errors, so handlers only call a service and return a DTO.
 */
export function withPublicApi<
  TQuery extends TQuerySchema | undefined,
  TBody extends z.ZodType | undefined,
  TParams extends TParamsSchema | undefined,
  TResponse extends z.ZodType,
>(
  definition: TPublicApiDefinition<TQuery, TBody, TParams, TResponse>,
  /** Returns the DTO, or a `Response` of its own for a reply that streams (`streamedJsonArray`). */
  handler: (input: TPublicApiRequest<TQuery, TBody, TParams>) => Promise<z.input<TResponse> | Response>,
  deps: TPublicApiDeps = defaultDeps,
): TPublicApiRoute {
  const route = async (request: Request, context?: TRouteContext): Promise<Response> => {
    try {
      const principal = await deps.authenticate(request.headers.get("authorization"));
      const { query: querySchema, body: bodySchema, params: paramsSchema } = definition.request;
      const query = querySchema
        ? parseWith("query", querySchema, searchParamsToObject(new URL(request.url).searchParams))
        : undefined;
      const params = paramsSchema ? parseWith("params", paramsSchema, (await context?.params) ?? {}) : undefined;
      const body = bodySchema ? parseWith("body", bodySchema, await readJsonBody(request)) : undefined;
      const result = await handler({
        projectId: principal.projectId,
        apiKeyId: principal.apiKeyId,
        query: query as TParsed<TQuery>,
        body: body as TParsed<TBody>,
        params: params as TParsed<TParams>,
        request,
      });
      if (result instanceof Response) return result;
      return json(definition.successStatus ?? 200, result);
    } catch (error) {
      const { status, body } = toErrorResponse(error);
      if (status >= 500) {
        log.error({ err: error, method: definition.method, path: definition.path }, "public API request failed");
      }
      return json(status, body);
    }
  };
  return Object.assign(route, { definition: definition as TPublicApiDefinition });
}
