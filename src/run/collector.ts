import type { Reporter, TestCase, TestModule } from "vitest/node";
import type { CheckOutcome } from "../judge/types.ts";
import type { RecordedOutcome } from "../report/build.ts";
import { META_KEY } from "./record.ts";

/** A vitest reporter that gathers the outcomes the suites record and prints progress. */
export class OutcomeCollector implements Reporter {
  readonly outcomes: RecordedOutcome[] = [];
  readonly problems: string[] = [];
  constructor(
    private readonly root: string,
    private readonly progress: (outcome: CheckOutcome) => void,
  ) {}

  onTestCaseResult(testCase: TestCase): void {
    const meta = testCase.meta() as Record<string, unknown>;
    const outcomes = meta[META_KEY] as CheckOutcome[] | undefined;
    const suiteFile = relative(this.root, testCase.module.moduleId);
    if (!outcomes) {
      const result = testCase.result();
      if (result.state === "failed")
        this.problems.push(`${testCase.fullName}: ${result.errors?.map((e) => e.message).join("; ") ?? "failed"}`);
      return;
    }
    const durationMs = testCase.diagnostic()?.duration ?? 0;
    for (const outcome of outcomes) {
      this.outcomes.push({ outcome, suiteFile, durationMs });
      this.progress(outcome);
    }
  }

  onTestModuleEnd(testModule: TestModule): void {
    for (const error of testModule.errors()) this.problems.push(`${relative(this.root, testModule.moduleId)}: ${error.message}`);
  }

  onTestRunEnd(_modules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<{ message?: string }>): void {
    for (const error of unhandledErrors) this.problems.push(`unhandled: ${error.message ?? String(error)}`);
  }
}

function relative(root: string, file: string): string {
  return file.startsWith(`${root}/`) ? file.slice(root.length + 1) : file;
}
