import { fileURLToPath } from "node:url";
import { BaseSequencer, createVitest, type TestSpecification } from "vitest/node";
import { FAMILIES } from "../checks/registry.ts";
import { HarnessError } from "../errors.ts";
import type { CheckOutcome } from "../judge/types.ts";
import type { TargetModel } from "../model/target.ts";
import type { RecordedOutcome } from "../report/build.ts";
import { OutcomeCollector } from "./collector.ts";
import { selectedIn } from "./selection.ts";

/** The package root (suites are resolved from here, wherever the CLI is run from). */
export const PACKAGE_ROOT = fileURLToPath(new URL("../..", import.meta.url)).replace(/\/$/, "");

/** The suite file of a check family. */
export function suiteFileOf(family: string): string {
  return `suites/${family}.suite.ts`;
}

/** The suite files of the families with at least one selected check, in registry order. */
export function selectedSuiteFiles(model: Pick<TargetModel, "config">): string[] {
  const selected = selectedIn(model);
  return FAMILIES.filter((family) => family.checks.some((check) => selected(check.id))).map((family) => suiteFileOf(family.name));
}

/** Runs the suite files one at a time in registry order (see FAMILIES). */
class FamilyOrder extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const order = FAMILIES.map((family) => suiteFileOf(family.name));
    const rank = (file: TestSpecification) => order.findIndex((suite) => file.moduleId.endsWith(suite));
    return [...files].sort((a, b) => rank(a) - rank(b));
  }
}

/**
 * Runs the audit suites through vitest's Node API with the target model provided to them, and returns
 * the outcomes they recorded. The files run one after another in one worker without isolation, so they share
 * one audit context. A suite that crashes is a harness error, never a silent pass.
 */
export async function runSuites(model: TargetModel, progress: (outcome: CheckOutcome) => void): Promise<RecordedOutcome[]> {
  const files = selectedSuiteFiles(model);
  if (files.length === 0) return [];
  const collector = new OutcomeCollector(PACKAGE_ROOT, progress);
  const vitest = await createVitest(
    "test",
    {
      root: PACKAGE_ROOT,
      config: false,
      watch: false,
      include: files,
      reporters: [collector],
      fileParallelism: false,
      isolate: false,
      sequence: { sequencer: FamilyOrder },
      testTimeout: 600_000,
      hookTimeout: 120_000,
      pool: "threads",
      passWithNoTests: true,
    },
    { logLevel: "silent" },
  );
  vitest.provide("authproofModel", model);
  vitest.provide("authproofSuiteCount", files.length);
  try {
    await vitest.start();
  } finally {
    await vitest.close();
  }
  if (collector.problems.length > 0)
    throw new HarnessError("SUITES_FAILED", `the audit suites could not run: ${collector.problems.slice(0, 5).join(" | ")}`);
  return collector.outcomes;
}
