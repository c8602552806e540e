import type { AttackOutcome } from "../attack/judge.ts";

/**
 * What is wrong with the answer to something that must be refused, or `undefined` when it was refused
 * properly (or got no answer, which proves nothing either way): accepted (2xx, the valid token's answer,
 * another user's data), a server error, or — when `strict` — any status but 401. A slow 401 is not a
 * property failure (latency is judged by the scenario checks), so a busy machine cannot make a property flaky.
 */
export function refusalProblem(judged: AttackOutcome, strict: boolean): string | undefined {
  const response = judged.exchange.response;
  if (!response || judged.kind === "unanswered") return undefined;
  if (judged.failed && judged.kind !== "slow") return judged.detail;
  if (strict && response.status !== 401) return `refused with ${response.status}, not 401`;
  if (!strict && response.status < 400) return `answered ${response.status}`;
  return undefined;
}
