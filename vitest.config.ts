import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Builds dist/ once before any test file (CLI tests run the built program); skipped when dist/ is current.
    globalSetup: ["test/setup/build-dist.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // PostgreSQL-backed suites share one database; files run in separate forks but in one worker pool.
    pool: "forks",
    fileParallelism: true,
  },
});
