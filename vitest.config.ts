import { defineConfig } from "vitest/config";

// Tests run against package sources (the `@spanlens/source` export condition), so no
// build is needed before testing.
const resolve = { conditions: ["@spanlens/source"] };

export default defineConfig({
  resolve,
  ssr: { resolve: { conditions: ["@spanlens/source"] } },
  test: {
    projects: [
      {
        resolve,
        ssr: { resolve: { conditions: ["@spanlens/source"] } },
        test: {
          name: "unit",
          include: ["{apps,packages,examples}/*/{src,server,test}/**/*.test.ts", "bench/*.test.ts"],
          exclude: ["**/*.integration.test.ts", "**/node_modules/**"],
          environment: "node",
        },
      },
      {
        resolve,
        ssr: { resolve: { conditions: ["@spanlens/source"] } },
        test: {
          name: "integration",
          include: ["{apps,packages,examples}/*/{src,server,test}/**/*.integration.test.ts"],
          environment: "node",
          globalSetup: ["./test/integration-setup.ts"],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          // chdb locks its data directory per process; forks keep each file's engine apart.
          pool: "forks",
          maxWorkers: 2,
        },
      },
    ],
  },
});
