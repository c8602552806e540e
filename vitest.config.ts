import { defineConfig } from "vitest/config";

// The harness's own tests. The audit suites under suites/ are run by the CLI with their own settings.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/global-setup.ts"],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    maxWorkers: 3,
    maxConcurrency: 3,
    env: { NEXT_TELEMETRY_DISABLED: "1" },
  },
});
