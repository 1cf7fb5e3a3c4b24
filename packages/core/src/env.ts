import { z } from "zod";

/** A configuration problem found at boot; its message names every bad variable. */
export class EnvError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "EnvError";
  }
}

/**
 * Parses environment variables with a zod object schema. Each domain declares its own
 * small schema next to the code that reads it; this is the one place they are checked.
 * `SKIP_ENV_VALIDATION=1` (image builds only) returns the raw values unchecked.
 */
export function parseEnv<TSchema extends z.ZodObject>(
  schema: TSchema,
  source: Record<string, string | undefined> = process.env,
): z.infer<TSchema> {
  // Treat empty strings as unset, as shells and compose files often pass `VAR=`.
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, value]) => value !== ""));
  const result = schema.safeParse(cleaned);
  if (result.success) return result.data;
  if (source.SKIP_ENV_VALIDATION === "1") return cleaned as z.infer<TSchema>;
  const problems = result.error.issues.map((issue) => {
    const name = issue.path.join(".") || "environment";
    const received = cleaned[String(issue.path[0])];
    return received === undefined ? `${name} is required` : `${name} is invalid: ${issue.message}`;
  });
  throw new EnvError(`Invalid environment: ${problems.join("; ")}`);
}

/** A URL with one of the given protocols, e.g. `zUrl(["postgres:", "postgresql:"])`. */
export function zUrl(protocols: readonly string[]) {
  return z.string().refine(
    (value) => {
      try {
        return protocols.includes(new URL(value).protocol);
      } catch {
        return false;
      }
    },
    { message: `expected a URL starting with ${protocols.map((p) => `${p}//`).join(" or ")}` },
  );
}

export const ZPort = z.coerce.number().int().min(1).max(65535);
