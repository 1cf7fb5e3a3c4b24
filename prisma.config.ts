import path from "node:path";
import { PrismaPg } from "@prisma/adapter-pg";
import type { PrismaConfig } from "prisma";

// Migrations run through the WASM schema engine with the pg driver adapter, so no
// native engine binary has to be downloaded.
export default {
  experimental: { adapter: true },
  engine: "js",
  // A folder: each domain keeps its models in its own .prisma file.
  schema: path.join("prisma", "schema"),
  migrations: { path: path.join("prisma", "migrations") },
  async adapter() {
    const connectionString = process.env.DATABASE_URL;
    if (!connectionString) throw new Error("DATABASE_URL is required");
    return new PrismaPg({ connectionString });
  },
} satisfies PrismaConfig;
