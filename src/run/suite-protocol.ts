import { workerData } from "node:worker_threads";
import { HarnessError } from "../errors.ts";
import type { TargetModel } from "../model/target.ts";

/**
 * What the CLI hands the suite worker (see runSuites): the suite files to run, in order, and the values every
 * suite reads. The model is a structured clone of the CLI's: nothing a suite does to it reaches the CLI.
 */
export interface SuiteInputs {
  /** Absolute paths of the suite files, in run order. */
  files: string[];
  model: TargetModel;
  /** Epoch ms after which the audit sends nothing more (--max-time), or 0 for none. */
  deadlineAt: number;
}

/** What the suite worker tells the CLI, in order. */
export type SuiteEvent =
  | { kind: "module-start"; file: string }
  | {
      kind: "test";
      file: string;
      id: string;
      /** The test's describe names and its own, joined by " > ". */
      fullName: string;
      state: "pass" | "fail" | "skip";
      /** What the test recorded on its task (see record.ts). */
      meta: Record<string, unknown>;
      errors: string[];
      durationMs: number;
    }
  /** A suite file ended: its tests in declaration order, and its own errors (it could not load, a hook threw). */
  | { kind: "module-end"; file: string; testIds: string[]; errors: string[] }
  /** An error no test caught (an unhandled rejection in a check). */
  | { kind: "unhandled"; message: string }
  | { kind: "done" };

/** What the CLI tells the suite worker: the run is ending, skip what has not started and abort what has. */
export interface SuiteCancel {
  kind: "cancel";
}

/** The key under which SuiteInputs travel in the worker's workerData. */
export const INPUTS_KEY = "authproofSuites";

/** The inputs of this audit's suites; only the suite worker has them. */
export function suiteInputs(): SuiteInputs {
  const inputs = (workerData as Record<string, SuiteInputs> | null)?.[INPUTS_KEY];
  if (!inputs) throw new HarnessError("SUITES_FAILED", "a suite file was loaded outside authproof's suite worker (run it with `authproof audit`)");
  return inputs;
}
