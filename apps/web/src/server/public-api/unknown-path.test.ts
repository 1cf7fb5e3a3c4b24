import { describe, expect, it } from "vitest";
import { unknownPublicPath } from "./unknown-path";

describe("unknownPublicPath", () => {
  it("answers a JSON 404 in the public API's error form, naming the method and the path", async () => {
    const response = unknownPublicPath(
      new Request("http://localhost:3000/api/public/v1/traces/0af7651916cd43dd8448eb211c80319c/nope?x=1", {
        method: "POST",
      }),
    );
    expect(response.status).toBe(404);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    expect(await response.json()).toEqual({
      error: {
        code: "NOT_FOUND",
        message:
          "No public API endpoint POST /api/public/v1/traces/0af7651916cd43dd8448eb211c80319c/nope: see /api/public/v1/openapi.json for the endpoints",
      },
    });
  });
});
