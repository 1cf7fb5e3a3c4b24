import { describe, expect, it } from "vitest";
import { AppError, toErrorResponse } from "./errors.js";

describe("toErrorResponse", () => {
  it("passes client errors through with their status", () => {
    const response = toErrorResponse(new AppError("NOT_FOUND", "Trace abc not found"));
    expect(response).toEqual({ status: 404, body: { error: { code: "NOT_FOUND", message: "Trace abc not found" } } });
  });

  it("hides the details of unexpected errors", () => {
    const response = toErrorResponse(new Error("connection string postgres://secret"));
    expect(response.status).toBe(500);
    expect(JSON.stringify(response.body)).not.toContain("secret");
  });

  it("keeps 503 retryable with its message", () => {
    expect(toErrorResponse(new AppError("UNAVAILABLE", "queue full")).status).toBe(503);
  });
});
