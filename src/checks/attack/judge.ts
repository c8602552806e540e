import type { Attack } from "./types.ts";
import type { Exchange } from "../../http/types.ts";
import type { Controls } from "../../judge/types.ts";
import { describeError } from "../../judge/controls.ts";

export type AttackOutcomeKind = "rejected" | "accepted" | "server-error" | "slow" | "no-response";

export interface AttackOutcome {
  attack: Attack;
  exchange: Exchange;
  kind: AttackOutcomeKind;
  /** Whether the outcome breaks the attack's expectation. */
  failed: boolean;
  detail: string;
}

export interface JudgeContext {
  maxLatencyMs: number;
  /** Strings that must never appear in an answer to this request (another user's id and object ids). */
  foreignMarkers: string[];
  /**
   * Whether a 5xx fails the check itself (its expectation says "never 5xx": hostile input must not crash the
   * parser). Otherwise a 5xx is no acceptance: the check passes and hygiene.error-leak reports the crash.
   */
  crashIsFailure?: boolean;
}

/**
 * Judges one attack exchange against the operation's controls.
 * A token is accepted when the answer is 2xx or equals the valid token's answer (e.g. 404 for an unknown id):
 * both mean it passed authentication. 401 is the expected rejection; other 4xx are rejections with a note.
 */
export function judgeAttack(attack: Attack, exchange: Exchange, controls: Controls, judge: JudgeContext): AttackOutcome {
  const positiveStatus = controls.positive.response?.status;
  const response = exchange.response;
  const outcome = (kind: AttackOutcomeKind, failed: boolean, detail: string): AttackOutcome => ({
    attack,
    exchange,
    kind,
    failed,
    detail,
  });
  if (!response) {
    if (exchange.error?.kind === "timeout")
      return outcome("slow", true, `no answer within the timeout (${describeError(exchange)})`);
    if (exchange.error?.kind === "network" && attack.expect === "reject")
      return outcome("no-response", false, `connection closed without an answer (${exchange.error.message})`);
    return outcome("no-response", attack.expect === "accept", describeError(exchange));
  }
  const status = response.status;
  if (status >= 500)
    return outcome("server-error", judge.crashIsFailure === true, `server error ${status} (also reported under hygiene.error-leak)`);
  const passedAuth = (status >= 200 && status < 300) || status === positiveStatus;
  const slow = response.durationMs > judge.maxLatencyMs;
  const leaked = judge.foreignMarkers.find((marker) => marker.length > 0 && response.body.includes(marker));
  if (attack.expect === "accept") {
    if (!passedAuth) return outcome("rejected", true, `valid request refused with ${status} (valid token gets ${positiveStatus})`);
    if (leaked) return outcome("accepted", true, `answered with another user's data (${shorten(leaked)})`);
    return outcome("accepted", false, `accepted with ${status}`);
  }
  if (leaked) return outcome("accepted", true, `answered ${status} with another user's data (${shorten(leaked)})`);
  if (passedAuth) return outcome("accepted", true, `accepted with ${status} (valid token gets ${positiveStatus}, expected 401)`);
  if (slow) return outcome("slow", true, `rejected with ${status} but took ${Math.round(response.durationMs)} ms`);
  if (status === 401) return outcome("rejected", false, "401");
  return outcome("rejected", false, `rejected with ${status} (RFC 6750 expects 401)`);
}

function shorten(value: string): string {
  return value.length > 12 ? `${value.slice(0, 8)}…` : value;
}
