import { parseEnv, zUrl } from "@spanlens/core";
import { z } from "zod";

const ZDatabaseEnv = z.object({ DATABASE_URL: zUrl(["postgres:", "postgresql:"]) });

export function readDatabaseEnv(source: Record<string, string | undefined> = process.env) {
  return parseEnv(ZDatabaseEnv, source);
}
