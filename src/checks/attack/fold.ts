import { getCheck, type CheckId } from "../../catalogue/checks.ts";
import { severityRank, type Severity } from "../../catalogue/types.ts";
import type { Exchange } from "../../http/types.ts";
import { controlProblem, refusedToUser } from "../../judge/controls.ts";
import type { CheckOutcome, Controls, Endpoint } from "../../judge/types.ts";
import { severityOfFailure, type AttackOutcome } from "./judge.ts";

const EVIDENCE_LIMIT = 3;

/**
 * Folds the outcomes of one check's attack variants on one endpoint into the check's verdict.
 * A failed positive control makes the verdict `error`: a rejection proves nothing when valid tokens fail too.
 * A failed variant makes it `fail`, at the severity of its worst failed variant. Variants that got no answer
 * decide nothing: with no failure among the answered ones, the verdict is `error`. No variants: `skip`.
 */
export function foldAttackOutcomes(
  checkId: CheckId,
  endpoint: Endpoint,
  controls: Controls,
  outcomes: AttackOutcome[],
  skipReason = "no attack variants apply to this target",
  claimsSeverity: Severity = getCheck(checkId).severity,
): CheckOutcome {
  const base = { checkId, endpoint };
  const problem = controlProblem(controls);
  if (problem) return { ...base, status: refusedToUser(controls) ? "skip" : "error", reason: problem, exchanges: controlExchanges(controls) };
  if (outcomes.length === 0) return { ...base, status: "skip", reason: skipReason };
  const failed = outcomes.filter((o) => o.failed);
  const unanswered = outcomes.filter((o) => o.kind === "unanswered");
  const variants = { total: outcomes.length, failed: failed.length };
  const notes = unique(outcomes.filter((o) => !o.failed && o.detail !== "401").map((o) => `${o.attack.variant}: ${o.detail}`));
  if (failed.length === 0 && unanswered.length > 0) {
    return {
      ...base,
      status: "error",
      reason: `${unanswered.length} of ${outcomes.length} variants got no answer (first: ${unanswered[0]!.attack.variant} — ${unanswered[0]!.detail}); no verdict without an answer`,
      variants,
      notes: notes.slice(0, 10),
      exchanges: [labelled(unanswered[0]!), ...controlExchanges(controls)],
    };
  }
  if (failed.length === 0) {
    return {
      ...base,
      status: "pass",
      variants,
      notes: notes.slice(0, 10),
      exchanges: [labelled(outcomes[0]!), ...controlExchanges(controls)],
    };
  }
  const ranked = [...failed].sort((a, b) => severityRank(severityOfFailure(b, claimsSeverity)) - severityRank(severityOfFailure(a, claimsSeverity)));
  const worst = ranked[0]!;
  const severity = severityOfFailure(worst, claimsSeverity);
  const confirmed = failed.some((o) => o.exploitConfirmed);
  return {
    ...base,
    status: "fail",
    severity,
    ...(worst.impact && worst.impact !== "robustness" ? { impact: worst.impact } : {}),
    ...(confirmed ? { exploitConfirmed: true } : {}),
    reason: `${failed.length} of ${outcomes.length} variants were not handled as expected; worst: ${worst.attack.variant} — ${worst.detail}`,
    variants,
    failedVariants: ranked.map((o) => `${o.attack.variant}: ${o.detail} [${severityOfFailure(o, claimsSeverity)}]`),
    notes: notes.slice(0, 10),
    exchanges: [...ranked.slice(0, EVIDENCE_LIMIT).map(labelled), ...controlExchanges(controls)],
  };
}

function labelled(outcome: AttackOutcome): { label: string; exchange: Exchange } {
  return { label: `${outcome.attack.variant} → ${outcome.detail}`, exchange: outcome.exchange };
}

export function controlExchanges(controls: Controls): Array<{ label: string; exchange: Exchange }> {
  return [
    { label: "positive control: valid token", exchange: controls.positive },
    { label: "negative control: no token", exchange: controls.negative },
    ...(controls.invalid ? [{ label: "control: an invalid token", exchange: controls.invalid }] : []),
  ];
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
