import { BaseSequencer, createVitest, type TestSpecification } from "vitest/node";
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
import { escapeRegExp } from "../regexp.ts";

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

function signalListeners(): Map<"SIGINT" | "SIGTERM", Array<(...args: unknown[]) => void>> {
  return new Map((["SIGINT", "SIGTERM"] as const).map((signal) => [signal, process.listeners(signal) as Array<(...args: unknown[]) => void>]));
}

/** Runs the suite files one at a time in registry order (see FAMILIES). */
class FamilyOrder extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const order = FAMILIES.map((family) => suiteFileOf(family.name));
    const rank = (file: TestSpecification) => order.findIndex((suite) => file.moduleId.endsWith(suite));
    return [...files].sort((a, b) => rank(a) - rank(b));
  }
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
 * Runs the audit suites through vitest's Node API with the target model provided to them, and returns
 * the outcomes they recorded. The files run one after another in one worker without isolation, so they share
 * one audit context. A suite that crashes is a harness error, never a silent pass — unless the run was
 * stopped, whose finished outcomes are returned as they are.
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
  const signalsBefore = signalListeners();
  const vitest = await createVitest(
    "test",
    {
      root: CODE_ROOT,
      config: false,
      watch: false,
      include: files,
      // Installed, the suites live under node_modules/authproof/dist: vitest's default exclude would drop them.
      exclude: [],
      reporters: [collector],
      fileParallelism: false,
      isolate: false,
      sequence: { sequencer: FamilyOrder },
      testTimeout: 600_000,
      // Tests of a concurrent family at once (Family.concurrent); the driver bounds the requests in flight.
      maxConcurrency: 64,
      hookTimeout: 120_000,
      pool: "threads",
      passWithNoTests: true,
      // Compiled, the suites' own modules are plain ESM that Node loads as it is, as it does any installed package
      // under node_modules, instead of vite transforming each again in the worker (about 140 MB less at peak).
      ...(COMPILED ? { server: { deps: { external: [new RegExp(`^${escapeRegExp(CODE_ROOT)}/src/`)] } } } : {}),
    },
    { logLevel: "silent" },
  );
  // vitest's logger exits the process on SIGINT / SIGTERM; here the CLI owns them (clean-up, partial report).
  for (const [signal, listeners] of signalListeners()) for (const l of listeners) if (!signalsBefore.get(signal)!.includes(l)) process.off(signal, l);
  vitest.provide("authproofModel", model);
  vitest.provide("authproofSuiteCount", files.length);
  vitest.provide("authproofDeadlineAt", options.deadlineAt ?? 0);
  stop?.onStop(() => void vitest.cancelCurrentRun("keyboard-input"));
  try {
    if (!stop?.cause) await vitest.start();
  } finally {
    await vitest.close();
    collector.flush();
  }
  if (collector.problems.length > 0 && !stop?.cause)
    throw new HarnessError("SUITES_FAILED", `the audit suites could not run: ${collector.problems.slice(0, 5).join(" | ")}`);
  return { recorded: collector.outcomes, users: [...collector.users.values()], writes: collector.writes, traffic: collector.traffic };
}
