import { fileURLToPath } from "node:url";
import { BaseSequencer, createVitest, type TestSpecification } from "vitest/node";
import type { CheckOutcome } from "../judge/types.ts";
import { OutcomeCollector, type RecordedOutcome } from "./collector.ts";
import type { MatrixCell } from "../checks/isolation/scenarios.ts";
import { HarnessError } from "./errors.ts";
import type { TargetModel } from "../model/target.ts";

declare module "vitest" {
  export interface ProvidedContext {
    authproofModel: TargetModel;
  }
}

export interface SuiteRun {
  outcomes: RecordedOutcome[];
  matrixCells: MatrixCell[];
}

/** The package root (suites are resolved from here, wherever the CLI is run from). */
export const PACKAGE_ROOT = fileURLToPath(new URL("../..", import.meta.url)).replace(/\/$/, "");

/** Suite files, in the order they run. */
export const SUITE_FILES = [
  "suites/transport.suite.ts",
  "suites/token.suite.ts",
  "suites/secret.suite.ts",
  "suites/isolation.suite.ts",
  "suites/session.suite.ts",
  "suites/cors.suite.ts",
  "suites/cookie.suite.ts",
  "suites/csrf.suite.ts",
  "suites/browser.suite.ts",
  "suites/property.suite.ts",
];

/**
 * Runs the suite files one at a time in SUITE_FILES order: the isolation and session suites change the
 * target's state, so the read-only suites must have run before them.
 */
class SuiteOrder extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (file: TestSpecification) => SUITE_FILES.findIndex((suite) => file.moduleId.endsWith(suite));
    return [...files].sort((a, b) => rank(a) - rank(b));
  }
}

/**
 * Runs the audit suites through vitest's Node API with the target model provided to them, and returns
 * the outcomes they recorded. A suite that crashes is a harness error, never a silent pass.
 */
export async function runSuites(model: TargetModel, progress: (outcome: CheckOutcome) => void): Promise<SuiteRun> {
  const collector = new OutcomeCollector(PACKAGE_ROOT, progress);
  const vitest = await createVitest(
    "test",
    {
      root: PACKAGE_ROOT,
      config: false,
      watch: false,
      include: SUITE_FILES,
      reporters: [collector],
      fileParallelism: false,
      sequence: { sequencer: SuiteOrder },
      testTimeout: 600_000,
      hookTimeout: 120_000,
      pool: "threads",
      passWithNoTests: true,
    },
    { logLevel: "silent" },
  );
  vitest.provide("authproofModel", model);
  try {
    await vitest.start();
  } finally {
    await vitest.close();
  }
  if (collector.problems.length > 0)
    throw new HarnessError("SUITES_FAILED", `the audit suites could not run: ${collector.problems.slice(0, 5).join(" | ")}`);
  return { outcomes: collector.outcomes, matrixCells: collector.matrixCells };
}
