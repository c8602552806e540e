import { toCurl } from "../../http/curl.ts";
import type { Exchange } from "../../http/types.ts";
import { controlExchanges } from "../attack/fold.ts";
import type { CheckOutcome, Controls } from "../../judge/types.ts";
import type { PropertySettings, RequestBudget } from "./budget.ts";
import type { CheckId } from "../../catalogue/checks.ts";
import type { Severity } from "../../catalogue/types.ts";

type Counterexample = NonNullable<CheckOutcome["counterexample"]>;

/** What a property recorded about the failing run fast-check reports (the last, most shrunk one). */
export interface PropertyFailure {
  /** What went wrong on it, e.g. "accepted with 200 (valid token gets 200, expected 401)". */
  detail: string;
  /** The request that showed it, when one did. */
  exchange?: Exchange;
  /** Decoded header and claims, the raw token, the Authorization value. */
  counterexample: Omit<Counterexample, "seed" | "path">;
  /** A run-independent description: the token recipe, or the command sequence. */
  description: string;
  /** Why the model expected otherwise (e.g. the acceptance model's reasons). */
  why?: string;
  /** What the failure means (default: the check's catalogue severity). */
  severity?: Severity;
}

/** The parts of fast-check's RunDetails an outcome reports. */
export interface RunSummary {
  failed: boolean;
  numRuns: number;
  numSkips: number;
  numShrinks: number;
  seed: number;
  counterexamplePath: string | null;
  errorInstance: unknown;
}

export interface PropertyRun {
  checkId: CheckId;
  endpoint?: CheckOutcome["endpoint"];
  settings: PropertySettings;
  details: RunSummary;
  failure?: PropertyFailure;
  budget: RequestBudget;
  controls?: Controls;
}

/**
 * The check outcome of a property run: pass with the run counts; fail with the seed, the path, the shrunk
 * counterexample and a curl line (in the reason, so the terminal shows them, and in `counterexample`);
 * error when the property could not run (an exception in the harness, too many discarded inputs).
 */
export function propertyOutcome(run: PropertyRun): CheckOutcome {
  const { checkId, endpoint, settings, details, failure, budget } = run;
  const base = { checkId, ...(endpoint ? { endpoint } : {}) };
  const stats = `${details.numRuns} runs (${details.numSkips} generated inputs discarded), ${budget.used} requests, seed ${details.seed}`;
  const notes = [stats, ...(budget.exhausted ? [`request budget of ${budget.limit} spent: ${budget.starved} runs did not send`] : [])];
  const controls = run.controls ? controlExchanges(run.controls) : [];
  if (!details.failed) {
    return { ...base, status: "pass", notes, variants: { total: details.numRuns, failed: 0 }, ...(controls.length ? { exchanges: controls } : {}) };
  }
  if (!failure) {
    const message = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance ?? "no counterexample");
    return { ...base, status: "error", reason: `the property could not run (seed ${details.seed}): ${firstLine(message)}`, notes };
  }
  const path = details.counterexamplePath ?? undefined;
  const curl = failure.exchange ? toCurl(failure.exchange.request, (s) => s) : undefined;
  const reason = [
    `falsified after ${details.numRuns} run(s) and ${details.numShrinks} shrink(s), seed ${details.seed}${path ? `, path "${path}"` : ""}: ${failure.detail}`,
    `counterexample: ${failure.description}`,
    ...(failure.why ? [`expected because: ${failure.why}`] : []),
    ...(failure.counterexample.header !== undefined ? [`header: ${JSON.stringify(failure.counterexample.header)}`] : []),
    ...(failure.counterexample.claims !== undefined ? [`claims: ${JSON.stringify(failure.counterexample.claims)}`] : []),
    ...(curl ? [`curl: ${curl}`] : []),
    `replay: --seed ${details.seed} --runs ${settings.numRuns} --only ${checkId}`,
  ].join("\n  ");
  return {
    ...base,
    status: "fail",
    ...(failure.severity ? { severity: failure.severity } : {}),
    reason,
    notes,
    variants: { total: details.numRuns, failed: 1 },
    failedVariants: [`${failure.description} → ${failure.detail}`],
    exchanges: [...(failure.exchange ? [{ label: `shrunk counterexample → ${failure.detail}`, exchange: failure.exchange }] : []), ...controls],
    counterexample: { seed: details.seed, ...(path ? { path } : {}), ...failure.counterexample },
  };
}

function firstLine(text: string): string {
  return text.split("\n")[0] ?? text;
}
