import { AppError, toErrorResponse } from "@spanlens/core";

/**
 * What a path under `/api/public/v1` that no endpoint serves gets: a JSON 404 in the public API's
 * error form, naming the method and path and where the endpoints are listed. Without it the
 * dashboard's HTML page answered, which an API client can only report as unreadable.
 */
export function unknownPublicPath(request: Request): Response {
  const { pathname } = new URL(request.url);
  const { status, body } = toErrorResponse(
    new AppError(
      "NOT_FOUND",
      `No public API endpoint ${request.method} ${pathname}: see /api/public/v1/openapi.json for the endpoints`,
    ),
  );
  return Response.json(body, { status });
}
