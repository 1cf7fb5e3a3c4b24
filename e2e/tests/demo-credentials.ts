import { readFileSync } from "node:fs";
import path from "node:path";

export interface TDemoCredentials {
  baseUrl: string;
  email: string;
  password: string;
  projectId: string;
  publicKey: string;
  secretKey: string;
}

/** The demo login the all-in-one server seeded for this run. */
export function readDemoCredentials(): TDemoCredentials {
  const dataDir = process.env.SPANLENS_DATA_DIR ?? path.resolve(import.meta.dirname, "../../.data/e2e");
  return JSON.parse(readFileSync(path.join(dataDir, "demo-credentials.json"), "utf8")) as TDemoCredentials;
}
