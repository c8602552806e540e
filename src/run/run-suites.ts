import path from "node:path";
import { Worker } from "node:worker_threads";
import { FAMILIES } from "../checks/registry.ts";
import { HarnessError } from "../errors.ts";
import type { CheckOutcome } from "../judge/types.ts";
import type { TargetModel } from "../model/target.ts";
import type { RecordedOutcome } from "../report/build.ts";
import type { TestUser } from "../target/identities.ts";
import { familyOfSuite, OutcomeCollector } from "./collector.ts";
import { inShard, workItems } from "./shard.ts";
import type { RunStop } from "./stop.ts";
import type { WriteEntry } from "../http/writes.ts";
import { CODE_EXTENSION, CODE_ROOT, COMPILED } from "../package.ts";
import type { PhaseEvent } from "./phases.ts";
import { INPUTS_KEY, type SuiteCancel, type SuiteEvent, type SuiteInputs } from "./suite-protocol.ts";

/**
 * The suite file of a check family, relative to CODE_ROOT (where suites are resolved from, wherever the CLI
 * is run from): `suites/<family>.suite.ts` from source, `suites/<family>.suite.js` in the compiled package
 * (`dist/suites/`).
 */
export function suiteFileOf(family: string): string {
  return `suites/${family}.suite.${CODE_EXTENSION}`;
}

/** The suite files of the families with at least one test in this run (selected, and in its shard), in registry order. */
export function selectedSuiteFiles(model: TargetModel): string[] {
  const families = new Set(familyPlan(model).map((family) => family.name));
  return FAMILIES.filter((family) => families.has(family.name)).map((family) => suiteFileOf(family.name));
}

/**
 * How many tests each selected family will run, in run order: per scope its units times its selected checks,
 * as defineFamilySuite declares them (for progress and its ETA).
 */
export function familyPlan(model: TargetModel): Array<{ name: string; tests: number }> {
  const mine = inShard(model);
  const tests = new Map<string, number>();
  for (const item of workItems(model)) if (mine(item)) tests.set(item.family, (tests.get(item.family) ?? 0) + 1);
  return FAMILIES.filter((family) => tests.has(family.name)).map((family) => ({ name: family.name, tests: tests.get(family.name)! }));
}

export interface SuitesOptions {
  /** Ends the run early: the suites are cancelled when it stops, and stop it when the target stops answering. */
  stop?: RunStop;
  /** Epoch ms after which the suites' driver sends nothing more (--max-time). */
  deadlineAt?: number;
  /** Told the plan, each family as it starts and each finished test. */
  phase?: (event: PhaseEvent) => void;
  /** Told when a family's suite has finished (the terminal's progress line). */
  onFamilyDone?: (family: string, results: number) => void;
}

export interface SuitesRun {
  recorded: RecordedOutcome[];
  /** Users made while the suites ran (a UI sign-up), for the clean-up. */
  users: TestUser[];
  writes: WriteEntry[];
  /** What the suites' driver sent: in all, per family, over how long, at most how many at once. */
  traffic: SuitesTraffic;
}

export interface SuitesTraffic {
  sent: number;
  activeMs: number;
  maxInFlight: number;
  byFamily: Record<string, number>;
}

/**
 * Runs the audit suites in a worker thread of their own (suite-worker.ts) with vitest's test runner, the target model
 * handed in with the worker's data, and returns the outcomes they recorded. The files run one after another in
 * that one worker, so they share one audit context; each audit gets a fresh worker, so concurrent audits (several
 * targets, the MCP server) share nothing. A suite that crashes is a harness error, never a silent pass, unless
 * the run was stopped: then its finished outcomes are returned as they are.
 */
export async function runSuites(model: TargetModel, progress: (outcome: CheckOutcome) => void, options: SuitesOptions = {}): Promise<SuitesRun> {
  const files = selectedSuiteFiles(model);
  const { stop } = options;
  if (files.length === 0 || stop?.cause) return { recorded: [], users: [], writes: [], traffic: { sent: 0, activeMs: 0, maxInFlight: 0, byFamily: {} } };
  options.phase?.({ kind: "plan", families: familyPlan(model) });
  const collector = new OutcomeCollector(
    CODE_ROOT,
    progress,
    (origin) => stop?.stop({ kind: "stopped", origin }),
    options.phase,
    (suiteFile, results) => options.onFamilyDone?.(familyOfSuite(suiteFile), results),
  );
  const inputs: SuiteInputs = { files: files.map((file) => path.join(CODE_ROOT, file)), model, deadlineAt: options.deadlineAt ?? 0 };
  try {
    await runSuiteWorker(inputs, (event) => collector.handle(event), stop);
  } finally {
    collector.flush();
  }
  if (collector.problems.length > 0 && !stop?.cause)
    throw new HarnessError("SUITES_FAILED", `the audit suites could not run: ${collector.problems.slice(0, 5).join(" | ")}`);
  return { recorded: collector.outcomes, users: [...collector.users.values()], writes: collector.writes, traffic: collector.traffic };
}

/**
 * Runs suite files in a fresh suite worker and hands over its events until it is done. A worker that fails or
 * exits before it is done ends with an "unhandled" event saying so. When `stop` stops, the worker is told to cancel.
 */
export async function runSuiteWorker(inputs: SuiteInputs, onEvent: (event: SuiteEvent) => void, stop?: RunStop): Promise<void> {
  const worker = startSuiteWorker(inputs);
  stop?.onStop(() => worker.postMessage({ kind: "cancel" } satisfies SuiteCancel));
  try {
    await new Promise<void>((resolve) => {
      worker.on("message", (event: SuiteEvent) => {
        onEvent(event);
        if (event.kind === "done") resolve();
      });
      worker.on("error", (error) => {
        onEvent({ kind: "unhandled", message: `the suite worker failed: ${error.message}` });
        resolve();
      });
      worker.on("exit", (code) => {
        onEvent({ kind: "unhandled", message: `the suite worker exited (code ${code}) before the suites ended` });
        resolve();
      });
    });
  } finally {
    worker.removeAllListeners();
    worker.on("error", () => {}); // whatever it throws while it is stopped: it is done
    await worker.terminate();
  }
}

/**
 * The compiled worker loads as it is; from source it is TypeScript, so the worker registers tsx first (the CLI
 * registers it through tsx's API, which a worker does not inherit).
 */
function startSuiteWorker(inputs: SuiteInputs): Worker {
  const entry = new URL(`./suite-worker.${CODE_EXTENSION}`, import.meta.url);
  const workerData = { [INPUTS_KEY]: inputs };
  if (COMPILED) return new Worker(entry, { workerData });
  const bootstrap = `import(${JSON.stringify(import.meta.resolve("tsx/esm/api"))}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); })`;
  return new Worker(bootstrap, { eval: true, workerData });
}
