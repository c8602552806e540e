import type { Reporter, TestCase, TestModule } from "vitest/node";
import type { CheckOutcome } from "../judge/types.ts";
import type { MatrixCell } from "../checks/isolation/scenarios.ts";
import { MATRIX_KEY, META_KEY } from "./record.ts";

export interface RecordedOutcome {
  outcome: CheckOutcome;
  suiteFile: string;
  durationMs: number;
}

/** A vitest reporter that gathers the outcomes the suites record and prints progress. */
export class OutcomeCollector implements Reporter {
  readonly outcomes: RecordedOutcome[] = [];
  readonly matrixCells: MatrixCell[] = [];
  readonly problems: string[] = [];
  constructor(
    private readonly root: string,
    private readonly progress: (outcome: CheckOutcome) => void,
  ) {}

  onTestCaseResult(testCase: TestCase): void {
    const meta = testCase.meta() as Record<string, unknown>;
    const outcome = meta[META_KEY] as CheckOutcome | undefined;
    this.matrixCells.push(...((meta[MATRIX_KEY] as MatrixCell[] | undefined) ?? []));
    const suiteFile = relative(this.root, testCase.module.moduleId);
    if (!outcome) {
      const result = testCase.result();
      if (result.state === "failed")
        this.problems.push(`${testCase.fullName}: ${result.errors?.map((e) => e.message).join("; ") ?? "failed"}`);
      return;
    }
    this.outcomes.push({ outcome, suiteFile, durationMs: testCase.diagnostic()?.duration ?? 0 });
    this.progress(outcome);
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
