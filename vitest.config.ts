import { defineConfig } from "vitest/config";

// The harness's own tests. The audit suites under suites/ are run by the CLI with their own settings.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/global-setup.ts"],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    // Four on two cores: the audits wait on their targets about a sixth of the time (9 min 17 s with three, 8 min 25 s
    // with four, both green).
    maxWorkers: 4,
    // A worker runs its files one after another in one module graph: each file skips re-importing the harness
    // (about 80 CPU-s of the suite), and the files that only audit a secure reference app share the worker's
    // (test/helpers/shared-reference.ts). No test mocks modules, stubs globals or changes process.env.
    isolate: false,
    maxConcurrency: 3,
    env: { NEXT_TELEMETRY_DISABLED: "1" },
  },
});
