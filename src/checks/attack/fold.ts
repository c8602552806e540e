import type { Exchange } from "../../http/types.ts";
import type { AttackOutcome } from "./judge.ts";
import { controlProblem } from "../../judge/controls.ts";
import type { CheckId } from "../../catalogue/checks.ts";
import type { CheckOutcome, Controls, Endpoint } from "../../judge/types.ts";

const EVIDENCE_LIMIT = 3;

/**
 * Folds the outcomes of one check's attack variants on one endpoint into the check's verdict.
 * A failed positive control makes the verdict `error`: a rejection proves nothing when valid tokens fail too.
 * No variants means `skip` with the given reason.
 */
export function foldAttackOutcomes(
  checkId: CheckId,
  endpoint: Endpoint,
  controls: Controls,
  outcomes: AttackOutcome[],
  skipReason = "no attack variants apply to this target",
): CheckOutcome {
  const base = { checkId, endpoint };
  const problem = controlProblem(controls);
  if (problem) return { ...base, status: "error", reason: problem, exchanges: controlExchanges(controls) };
  if (outcomes.length === 0) return { ...base, status: "skip", reason: skipReason };
  const failed = outcomes.filter((o) => o.failed);
  const variants = { total: outcomes.length, failed: failed.length };
  const notes = unique(outcomes.filter((o) => !o.failed && o.detail !== "401").map((o) => `${o.attack.variant}: ${o.detail}`));
  if (failed.length === 0) {
    return {
      ...base,
      status: "pass",
      variants,
      notes: notes.slice(0, 10),
      exchanges: [labelled(outcomes[0]!), ...controlExchanges(controls)],
    };
  }
  const first = failed[0]!;
  return {
    ...base,
    status: "fail",
    reason: `${failed.length} of ${outcomes.length} variants were not handled as expected; first: ${first.attack.variant} — ${first.detail}`,
    variants,
    failedVariants: failed.map((o) => `${o.attack.variant}: ${o.detail}`),
    notes: notes.slice(0, 10),
    exchanges: [...failed.slice(0, EVIDENCE_LIMIT).map(labelled), ...controlExchanges(controls)],
  };
}

function labelled(outcome: AttackOutcome): { label: string; exchange: Exchange } {
  return { label: `${outcome.attack.variant} → ${outcome.detail}`, exchange: outcome.exchange };
}

export function controlExchanges(controls: Controls): Array<{ label: string; exchange: Exchange }> {
  return [
    { label: "positive control: valid token", exchange: controls.positive },
    { label: "negative control: no token", exchange: controls.negative },
  ];
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
