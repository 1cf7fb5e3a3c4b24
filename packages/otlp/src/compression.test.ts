import { randomBytes } from "node:crypto";
import { deflateSync, gzipSync, zstdCompressSync } from "node:zlib";
import { AppError } from "@spanlens/core";
import { describe, expect, it } from "vitest";
import { decompressBody, parseContentEncoding } from "./compression.js";

describe("decompressBody", () => {
  const text = Buffer.from("span payload ".repeat(1000));

  it("inflates gzip and deflate bodies and passes identity through", async () => {
    expect(await decompressBody(gzipSync(text), "gzip")).toEqual(text);
    expect(await decompressBody(deflateSync(text), "deflate")).toEqual(text);
    expect(await decompressBody(zstdCompressSync(text), "zstd")).toEqual(text);
    expect(await decompressBody(text, "identity")).toBe(text);
  });

  it("holds zstd bodies to the limit after decompression too, on and off the event loop", async () => {
    const bomb = zstdCompressSync(Buffer.alloc(64 * 1024 * 1024));
    expect(bomb.length).toBeLessThan(256 * 1024);
    await expect(decompressBody(bomb, "zstd", 1024 * 1024)).rejects.toMatchObject({ code: "PAYLOAD_TOO_LARGE" });
    const large = randomBytes(400 * 1024);
    const compressed = zstdCompressSync(large);
    expect(compressed.length).toBeGreaterThan(256 * 1024);
    expect(await decompressBody(compressed, "zstd", 1024 * 1024)).toEqual(large);
    await expect(decompressBody(compressed, "zstd", 100 * 1024)).rejects.toMatchObject({ code: "PAYLOAD_TOO_LARGE" });
    const error = await decompressBody(gzipSync(text), "zstd", 1024 * 1024).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: "BAD_REQUEST" });
    expect((error as Error).message).toMatch(/could not be read as zstd/);
  });

  it("inflates bodies above the synchronous limit on the thread pool, limit included", async () => {
    // Random bytes do not compress, so the gzip body is larger than 256 KiB.
    const large = randomBytes(400 * 1024);
    const compressed = gzipSync(large);
    expect(compressed.length).toBeGreaterThan(256 * 1024);
    expect(await decompressBody(compressed, "gzip", 1024 * 1024)).toEqual(large);
    await expect(decompressBody(compressed, "gzip", 100 * 1024)).rejects.toMatchObject({
      code: "PAYLOAD_TOO_LARGE",
    });
  });

  it("stops a compression bomb at the limit with a 413 naming it", async () => {
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024));
    expect(bomb.length).toBeLessThan(256 * 1024);
    const error = await decompressBody(bomb, "gzip", 1024 * 1024).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: "PAYLOAD_TOO_LARGE" });
    expect((error as Error).message).toContain("1048576 bytes after decompression");
  });

  it("inflates a gzip body into one buffer of its own size", async () => {
    // Above Buffer's pool threshold, so the buffer is zlib's own and its size shows.
    const payload = Buffer.from("span payload with some text ".repeat(1500));
    const inflated = await decompressBody(gzipSync(payload), "gzip", 1024 * 1024);
    expect(inflated).toEqual(payload);
    expect(inflated.buffer.byteLength).toBeLessThanOrEqual(payload.length + 1);
  });

  it("answers 400 for a gzip trailer with a wrong size, whatever buffer it sizes, and inflates multi-member bodies", async () => {
    const payload = Buffer.from("span payload with some text ".repeat(1500));
    const withTrailerSize = (size: number) => {
      const body = gzipSync(payload);
      body.writeUInt32LE(size, body.length - 4);
      return body;
    };
    // zlib checks the trailer only after the data, so a wrong size is reported, not truncated.
    for (const size of [0, 100, payload.length - 1, payload.length * 2, 0xffffffff]) {
      const error = await decompressBody(withTrailerSize(size), "gzip", 1024 * 1024).catch((caught: unknown) => caught);
      expect(error).toMatchObject({ code: "BAD_REQUEST" });
    }
    const twoMembers = Buffer.concat([gzipSync(payload.subarray(0, 100)), gzipSync(payload.subarray(100))]);
    expect(await decompressBody(twoMembers, "gzip", 1024 * 1024)).toEqual(payload);
  });

  it("answers 400 for a body that is not what Content-Encoding says", async () => {
    const error = await decompressBody(text, "gzip", 1024 * 1024).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: "BAD_REQUEST" });
    expect((error as Error).message).toMatch(/could not be read as gzip/);
  });
});

describe("parseContentEncoding", () => {
  it("accepts gzip, x-gzip, deflate, zstd and identity, and names the supported ones otherwise", () => {
    expect(parseContentEncoding(undefined)).toBe("identity");
    expect(parseContentEncoding(" GZIP ")).toBe("gzip");
    expect(parseContentEncoding("x-gzip")).toBe("gzip");
    expect(parseContentEncoding("deflate")).toBe("deflate");
    expect(parseContentEncoding("zstd")).toBe("zstd");
    expect(() => parseContentEncoding("br")).toThrow(/Unsupported Content-Encoding "br": send gzip, zstd, deflate/);
  });
});
