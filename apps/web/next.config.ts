import type { NextConfig } from "next";

// Workspace packages and native/stateful libraries are required from node_modules at
// runtime, never bundled: the custom server and the route handlers must share one
// module instance (and its process-wide singletons), and chdb is a native library.
const serverExternalPackages = [
  "@spanlens/core",
  "@spanlens/db",
  "@spanlens/queue",
  "@spanlens/clickhouse",
  "chdb",
  "@clickhouse/client",
  "pino",
  "bullmq",
  "ioredis",
  "pg",
  "@prisma/client",
  "@prisma/adapter-pg",
];

const nextConfig: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  serverExternalPackages,
};

export default nextConfig;
