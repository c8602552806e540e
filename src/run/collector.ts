import type { CheckOutcome } from "../judge/types.ts";
import type { RecordedOutcome } from "../report/build.ts";
import type { TestUser } from "../target/identities.ts";
import { META_KEY, RUN_META_KEY, type RunMeta } from "./record.ts";
import type { WriteEntry } from "../http/writes.ts";
import type { PhaseEvent } from "./phases.ts";
import type { SuiteEvent } from "./suite-protocol.ts";

/**
 * Gathers the outcomes the suites record (the suite worker's events, see SuiteEvent) and reports progress. It also
 * reads the run's state that every test carries (see RunMeta): the first origin that stopped answering is
 * reported through `onStopped`, and the outcomes of tests that ended once the run was disturbed (an origin
 * stopped, the driver halted) are left out: they are not finished results.
 */
export class OutcomeCollector {
  readonly outcomes: RecordedOutcome[] = [];
  readonly problems: string[] = [];
  /** Users made in the worker (e.g. a UI sign-up), by email. */
  readonly users = new Map<string, TestUser>();
  /** The state-changing requests the worker sent. */
  readonly writes: WriteEntry[] = [];
  /** The worker driver's totals as last reported, and the requests each family's suite sent. */
  readonly traffic = { sent: 0, activeMs: 0, maxInFlight: 0, byFamily: {} as Record<string, number> };
  private sentBeforeModule = 0;
  /** A module's recorded outcomes by test, until the module ends. */
  private readonly byTest = new Map<string, RecordedOutcome[]>();
  /** Tests whose outcomes were left out because the run was disturbed when they ended. */
  dropped = 0;

  constructor(
    private readonly root: string,
    private readonly progress: (outcome: CheckOutcome) => void,
    private readonly onStopped: (origin: string) => void = () => {},
    private readonly onPhase: (event: PhaseEvent) => void = () => {},
    /** Called when a family's suite file has finished, with how many results it recorded. */
    private readonly onSuiteDone: (suiteFile: string, results: number) => void = () => {},
  ) {}

  handle(event: SuiteEvent): void {
    if (event.kind === "module-start") this.onPhase({ kind: "family", name: familyOf(event.file) });
    else if (event.kind === "test") this.testEnded(event);
    else if (event.kind === "module-end") this.moduleEnded(event);
    else if (event.kind === "unhandled") this.problems.push(`unhandled: ${event.message}`);
  }

  private testEnded(test: Extract<SuiteEvent, { kind: "test" }>): void {
    const run = test.meta[RUN_META_KEY] as RunMeta | undefined;
    for (const user of run?.users ?? []) this.users.set(user.email, user);
    this.writes.push(...(run?.writes ?? []));
    if (run?.traffic) {
      this.traffic.sent = Math.max(this.traffic.sent, run.traffic.sent);
      this.traffic.activeMs = Math.max(this.traffic.activeMs, run.traffic.activeMs);
      this.traffic.maxInFlight = Math.max(this.traffic.maxInFlight, run.traffic.maxInFlight);
    }
    if (run?.stopped[0]) this.onStopped(run.stopped[0]);
    if (run && (run.stopped.length > 0 || run.halted)) {
      this.dropped += 1;
      return;
    }
    const outcomes = test.meta[META_KEY] as CheckOutcome[] | undefined;
    const suiteFile = relative(this.root, test.file);
    this.onPhase({ kind: "test", family: familyOf(test.file), status: worstStatus(outcomes, test.state) });
    if (!outcomes) {
      if (test.state === "fail") this.problems.push(`${test.fullName}: ${test.errors.join("; ") || "failed"}`);
      return;
    }
    const recorded = this.byTest.get(test.id) ?? [];
    for (const outcome of outcomes) {
      recorded.push({ outcome, suiteFile, durationMs: test.durationMs });
      this.progress(outcome);
    }
    this.byTest.set(test.id, recorded);
  }

  private moduleEnded(module: Extract<SuiteEvent, { kind: "module-end" }>): void {
    const suiteFile = relative(this.root, module.file);
    // Suite files run one after another on one driver: a family's requests are what the total grew by.
    this.traffic.byFamily[familyOfSuite(suiteFile)] = this.traffic.sent - this.sentBeforeModule;
    this.sentBeforeModule = this.traffic.sent;
    // In declaration order, whatever order a concurrent family's tests ended in: the same seed, the same report.
    for (const id of module.testIds) {
      this.outcomes.push(...(this.byTest.get(id) ?? []));
      this.byTest.delete(id);
    }
    for (const error of module.errors) this.problems.push(`${suiteFile}: ${error}`);
    this.onSuiteDone(suiteFile, this.outcomes.filter((o) => o.suiteFile === suiteFile).length);
  }

  /** Hands over what tests of a module that never ended recorded (a stopped run): finished results all the same. */
  flush(): void {
    for (const recorded of this.byTest.values()) this.outcomes.push(...recorded);
    this.byTest.clear();
  }
}

/** `token` for `…/suites/token.suite.ts` (or `.js`). */
function familyOf(moduleId: string): string {
  return /([^/]+)\.suite\.[cm]?[jt]s$/.exec(moduleId)?.[1] ?? moduleId;
}

const WEIGHT = { pass: 0, skip: 1, error: 2, fail: 3 } as const;

function worstStatus(outcomes: CheckOutcome[] | undefined, state: "pass" | "fail" | "skip"): "pass" | "fail" | "skip" | "error" {
  if (!outcomes?.length) return state === "fail" ? "error" : state;
  return outcomes.map((o) => o.status).reduce((a, b) => (WEIGHT[b] > WEIGHT[a] ? b : a));
}

function relative(root: string, file: string): string {
  return file.startsWith(`${root}/`) ? file.slice(root.length + 1) : file;
}

/** `suites/token.suite.ts` → `token`. */
export function familyOfSuite(suiteFile: string): string {
  return suiteFile.replace(/^.*\/|\.suite\.[jt]s$/g, "");
}
