import type { Severity } from "../../catalogue/types.ts";
import type { Exchange } from "../../http/types.ts";
import { describeError } from "../../judge/controls.ts";
import { foreignDataIn, type ForeignData } from "../../judge/leaks.ts";
import type { Controls } from "../../judge/types.ts";
import type { Impact } from "../types.ts";
import type { Attack } from "./types.ts";

/**
 * How one attack ended: `rejected` and `accepted` are answers the token check gave; `server-error` and `slow`
 * are answers that broke; `unanswered` (refused, reset, timed out, redirected) is no answer at all and never
 * decides a verdict.
 */
export type AttackOutcomeKind = "rejected" | "accepted" | "server-error" | "slow" | "unanswered";

export interface AttackOutcome {
  attack: Attack;
  exchange: Exchange;
  kind: AttackOutcomeKind;
  /** Whether the outcome breaks the attack's expectation. */
  failed: boolean;
  detail: string;
  /** What the failure means (its impact class decides its severity). */
  impact?: Impact | "robustness";
  /** For an accepted forgery: the answer names the identity the forged token chose. */
  exploitConfirmed?: boolean;
}

export interface JudgeContext {
  maxLatencyMs: number;
  /** Another user's data that must never appear in an answer to this request. */
  foreign?: ForeignData;
  /**
   * Whether a 5xx fails the check itself (its expectation says "never 5xx": hostile input must not crash the
   * parser). Otherwise a 5xx is no acceptance: the check passes and hygiene.error-leak reports the crash.
   */
  crashIsFailure?: boolean;
  /** The impact of an accepted variant that declares none (the check's default). */
  impact?: Impact;
  /** The token's identity claim (to tell whether a forgery came back as the identity it chose). */
  identityClaim?: string;
  /** For `as-victim` attacks: what the victim's own token gets on the same request. */
  victimAnswer?: Exchange;
}

/**
 * Judges one attack exchange against the operation's controls.
 * A token is accepted when the answer is 2xx or equals the valid token's answer (e.g. 404 for an unknown id):
 * both mean it passed authentication. 401 is the expected rejection; other 4xx are rejections with a note.
 */
export function judgeAttack(attack: Attack, exchange: Exchange, controls: Controls, judge: JudgeContext): AttackOutcome {
  const positiveStatus = controls.positive.response?.status;
  const response = exchange.response;
  const impact = attack.impact ?? judge.impact;
  const outcome = (kind: AttackOutcomeKind, failed: boolean, detail: string, extra: Partial<AttackOutcome> = {}): AttackOutcome => ({
    attack,
    exchange,
    kind,
    failed,
    detail,
    ...(failed && (kind === "server-error" || kind === "slow") ? { impact: "robustness" as const } : failed && impact ? { impact } : {}),
    ...extra,
  });
  if (!response) return outcome("unanswered", false, `no answer (${describeError(exchange)})`);
  const status = response.status;
  if (status >= 300 && status < 400) return outcome("unanswered", false, `redirected (${status}${locationOf(exchange)}), so the token check was not reached`);
  if (status >= 500)
    return outcome("server-error", judge.crashIsFailure === true, `server error ${status} (also reported under hygiene.error-leak)`);
  const passedAuth = (status >= 200 && status < 300) || status === positiveStatus;
  const slow = response.durationMs > judge.maxLatencyMs;
  const leaked = judge.foreign && foreignDataIn(response.body, judge.foreign);
  if (attack.expect === "accept") {
    // A valid request refused is never a forgery, whatever the variant stands for.
    if (!passedAuth) return { ...outcome("rejected", true, `valid request refused with ${status} (valid token gets ${positiveStatus})`), impact: "leniency" };
    if (leaked) return outcome("accepted", true, `answered with another user's data (${leaked})`);
    return outcome("accepted", false, `accepted with ${status}`);
  }
  if (attack.expect === "as-victim") {
    const victimStatus = judge.victimAnswer?.response?.status;
    if (leaked) return outcome("accepted", true, `answered ${status} with another user's data (${leaked})`);
    if (status === victimStatus) return outcome("rejected", false, `answered ${status}, as the victim's own token does`);
    const answeredAsOther = (status >= 200 && status < 300) || status === positiveStatus;
    if (answeredAsOther && victimStatus !== positiveStatus)
      return outcome("accepted", true, `answered ${status} as the user the headers name (the victim's own token gets ${victimStatus ?? "no answer"})`);
    return outcome("rejected", false, `answered ${status} (the victim's own token gets ${victimStatus ?? "no answer"})`);
  }
  const confirmed = impact === "forgery" && answersAs(response.body, chosenIdentity(attack, judge.identityClaim));
  const confirmation = confirmed ? "; exploit confirmed: the answer is the identity the forged token chose" : "";
  if (leaked) return outcome("accepted", true, `answered ${status} with another user's data (${leaked})${confirmation}`, { exploitConfirmed: confirmed });
  if (passedAuth)
    return outcome("accepted", true, `accepted with ${status} (valid token gets ${positiveStatus}, expected 401)${confirmation}`, { exploitConfirmed: confirmed });
  if (attack.likeInvalidControl && status === 403 && controls.invalid?.response?.status === 401)
    return outcome("accepted", true, "answered 403 where an invalid token gets 401: the value got past the token check and the route refused the identity it stands for");
  if (slow) return outcome("slow", true, `rejected with ${status} but took ${Math.round(response.durationMs)} ms`);
  if (status === 401) return outcome("rejected", false, "401");
  return outcome("rejected", false, `rejected with ${status} (RFC 6750 expects 401)`);
}

/** The severity a failed variant stands for: forgery critical, claims the check's own, leniency info. */
export function severityOfFailure(outcome: AttackOutcome, claimsSeverity: Severity): Severity {
  switch (outcome.impact) {
    case "forgery":
      return "critical";
    case "leniency":
      return "info";
    case "robustness":
      return "medium";
    default:
      return outcome.attack.severity ?? claimsSeverity;
  }
}

function chosenIdentity(attack: Attack, identityClaim = "sub"): string | undefined {
  const claims = attack.token?.claims;
  const value = claims && typeof claims === "object" ? (claims as Record<string, unknown>)[identityClaim] : undefined;
  return typeof value === "string" && value.length >= 4 ? value : undefined;
}

/** Whether a JSON answer carries `identity` as one of its string members. */
function answersAs(body: string, identity: string | undefined): boolean {
  return identity !== undefined && foreignDataIn(body, { userIds: [identity], objectIds: [] }) !== undefined;
}

function locationOf(exchange: Exchange): string {
  const location = exchange.response?.headers.location;
  return typeof location === "string" ? ` to ${location}` : "";
}
