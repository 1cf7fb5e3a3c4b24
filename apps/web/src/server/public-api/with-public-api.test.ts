import { AppError } from "@spanlens/core";
import { describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { type TPublicApiDeps, withPublicApi } from "./with-public-api";

const principal = { projectId: "project-1", apiKeyId: "key-1" };
const allowAll: TPublicApiDeps = { authenticate: async () => principal };

function createListRoute(handler = vi.fn(async () => ({ ok: true })), deps: TPublicApiDeps = allowAll) {
  const route = withPublicApi(
    {
      method: "GET",
      path: "/things/{thingId}",
      summary: "List things",
      request: {
        query: z.object({ limit: z.coerce.number().int().min(1).max(100).default(50) }),
        params: z.object({ thingId: z.string().min(3) }),
      },
      response: z.object({ ok: z.boolean() }),
    },
    handler,
    deps,
  );
  return { route, handler };
}

const paramsOf = (thingId: string) => ({ params: Promise.resolve({ thingId }) });

describe("withPublicApi", () => {
  it("passes the key's project and the parsed input to the handler", async () => {
    const { route, handler } = createListRoute();
    const response = await route(new Request("http://test/api/public/v1/things/abc?limit=7"), paramsOf("abc"));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true });
    expect(handler).toHaveBeenCalledWith(
      expect.objectContaining({
        projectId: "project-1",
        apiKeyId: "key-1",
        query: { limit: 7 },
        params: { thingId: "abc" },
      }),
    );
  });

  it("answers 400 naming the field when the query is invalid", async () => {
    const { route, handler } = createListRoute();
    const response = await route(new Request("http://test/x?limit=500"), paramsOf("abc"));
    expect(response.status).toBe(400);
    const body = await response.json();
    expect(body.error.code).toBe("BAD_REQUEST");
    expect(body.error.message).toBe("limit: Too big: expected number to be <=100");
    expect(handler).not.toHaveBeenCalled();
  });

  it("answers 400 naming the path parameter when it is invalid", async () => {
    const { route } = createListRoute();
    const response = await route(new Request("http://test/x"), paramsOf("a"));
    expect(response.status).toBe(400);
    expect((await response.json()).error.message).toMatch(/^thingId: /);
  });

  it("answers 400 for a body that is not JSON", async () => {
    const route = withPublicApi(
      {
        method: "POST",
        path: "/things",
        summary: "Create a thing",
        request: { body: z.object({ name: z.string() }) },
        response: z.object({ id: z.string() }),
        successStatus: 201,
      },
      async ({ body }) => ({ id: body.name }),
      allowAll,
    );
    const bad = await route(new Request("http://test/x", { method: "POST", body: "{nope" }));
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.message).toBe("body: invalid JSON");
    const good = await route(new Request("http://test/x", { method: "POST", body: '{"name":"n1"}' }));
    expect(good.status).toBe(201);
    expect(await good.json()).toEqual({ id: "n1" });
  });

  it("maps an authentication failure to 401 before parsing input", async () => {
    const { route, handler } = createListRoute(undefined, {
      authenticate: async () => {
        throw new AppError("UNAUTHORIZED", "Invalid API key");
      },
    });
    const response = await route(new Request("http://test/x?limit=500"), paramsOf("a"));
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: { code: "UNAUTHORIZED", message: "Invalid API key" } });
    expect(handler).not.toHaveBeenCalled();
  });

  it("hands the authorization header to the authenticator", async () => {
    const authenticate = vi.fn(async () => principal);
    const { route } = createListRoute(undefined, { authenticate });
    await route(new Request("http://test/x", { headers: { authorization: "Bearer sk-sl-1" } }), paramsOf("abc"));
    expect(authenticate).toHaveBeenCalledWith("Bearer sk-sl-1");
  });

  it("maps an AppError thrown by the handler to its status", async () => {
    const { route } = createListRoute(
      vi.fn(async () => {
        throw new AppError("NOT_FOUND", "Thing not found");
      }),
    );
    const response = await route(new Request("http://test/x"), paramsOf("abc"));
    expect(response.status).toBe(404);
    expect((await response.json()).error).toEqual({ code: "NOT_FOUND", message: "Thing not found" });
  });

  it("hides the details of an unexpected error behind a 500", async () => {
    const { route } = createListRoute(
      vi.fn(async () => {
        throw new Error("connection string postgres://secret@db leaked");
      }),
    );
    const response = await route(new Request("http://test/x"), paramsOf("abc"));
    expect(response.status).toBe(500);
    const text = await response.text();
    expect(text).not.toContain("secret");
    expect(JSON.parse(text)).toEqual({ error: { code: "INTERNAL", message: "Internal server error" } });
  });
});
