import { parseEnv, zUrl } from "@spanlens/core";
import { z } from "zod";

const ZWebEnv = z
  .object({
    NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
    NEXTAUTH_SECRET: z.string().min(16, "must be at least 16 characters").optional(),
    NEXTAUTH_URL: zUrl(["http:", "https:"]).optional(),
    // Where exporters reach the ingest service when it is not served on the web app's origin.
    INGEST_PUBLIC_URL: zUrl(["http:", "https:"]).optional(),
    // Where OTLP/gRPC exporters reach the ingest service; unset, the web app's host on the
    // gRPC port when ingest shares its process (all-in-one), else no gRPC endpoint is shown.
    INGEST_GRPC_PUBLIC_URL: zUrl(["http:", "https:"]).optional(),
  })
  .refine((env) => env.NODE_ENV !== "production" || env.NEXTAUTH_SECRET !== undefined, {
    path: ["NEXTAUTH_SECRET"],
    message: "is required in production",
  });

export type TWebEnv = z.infer<typeof ZWebEnv>;

// Local development and tests run without configuration; production refuses this value.
const DEVELOPMENT_SECRET = "spanlens-development-secret-not-for-production";

let cachedEnv: TWebEnv | undefined;

/**
 * Reads the web app's environment once, on first use rather than at import, because
 * `next build` evaluates route modules without the runtime environment.
 */
export function getWebEnv(): TWebEnv {
  cachedEnv ??= parseEnv(ZWebEnv, process.env);
  return cachedEnv;
}

export function getAuthSecret(): string {
  return getWebEnv().NEXTAUTH_SECRET ?? DEVELOPMENT_SECRET;
}
