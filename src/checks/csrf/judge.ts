import type { Exchange } from "../../http/types.ts";
import type { CheckOutcome } from "../../judge/types.ts";

type Endpoint = NonNullable<CheckOutcome["endpoint"]>;

/** One cross-site attempt: a state-changing call carrying the session cookie and an untrusted Origin. */
export interface CsrfAttempt {
  /** e.g. "POST /update-user with Origin: https://evil.test". */
  label: string;
  origin: string;
  exchange: Exchange;
}

export interface CsrfEvidence {
  attempts: CsrfAttempt[];
  /** The same call with the trusted Origin: must succeed, or a refusal of the foreign one proves nothing. */
  control: Exchange;
  /** After a foreign-origin sign-out: whether the session survived (undefined when not checked). */
  sessionSurvived?: { alive: boolean; exchange: Exchange };
}

const HINT =
  "Better Auth refuses it with 403 INVALID_ORIGIN unless trustedOrigins accepts the origin, advanced.disableCSRFCheck / disableOriginCheck is set, or the server runs with NODE_ENV=test (or TEST set), which skips the origin check";

/**
 * csrf.untrusted-origin: every attempt is refused (403; another 4xx is a refusal too, noted), the control
 * with the trusted Origin succeeds, and a foreign-origin sign-out leaves the session alive.
 */
export function judgeCsrf(endpoint: Endpoint, evidence: CsrfEvidence): CheckOutcome {
  const base = { checkId: "csrf.untrusted-origin" as const, endpoint };
  if (evidence.attempts.length === 0) return { ...base, status: "skip", reason: "no cross-site attempt was made" };
  const controlLabel = "positive control: same call with the trusted Origin";
  const control = evidence.control.response;
  if (!control || control.status < 200 || control.status >= 300)
    return {
      ...base,
      status: "error",
      reason: `positive control failed: the call with the trusted Origin ${control ? `answered ${control.status}` : `got no answer (${evidence.control.error?.message ?? "no response"})`}, so refusals of foreign origins prove nothing`,
      exchanges: [{ label: controlLabel, exchange: evidence.control }],
    };
  const notes: string[] = [];
  const failed: Array<{ attempt: CsrfAttempt; why: string }> = [];
  for (const attempt of evidence.attempts) {
    const response = attempt.exchange.response;
    if (!response) return { ...base, status: "error", reason: `${attempt.label}: no answer (${attempt.exchange.error?.message ?? "no response"})` };
    const code = codeOf(response.json);
    if (response.status === 403) notes.push(`${attempt.label} → 403${code ? ` ${code}` : ""}`);
    else if (response.status >= 400 && response.status < 500) notes.push(`${attempt.label} → refused with ${response.status}${code ? ` ${code}` : ""} (403 expected)`);
    else failed.push({ attempt, why: `answered ${response.status}: the call was accepted` });
  }
  if (evidence.sessionSurvived && !evidence.sessionSurvived.alive) {
    const signOut = evidence.attempts.find((a) => /sign-out/.test(a.label));
    if (signOut && !failed.some((f) => f.attempt === signOut)) failed.push({ attempt: signOut, why: "the session is gone afterwards: the cross-site sign-out took effect" });
  }
  const variants = { total: evidence.attempts.length, failed: failed.length };
  const controlEvidence = { label: controlLabel, exchange: evidence.control };
  if (failed.length === 0)
    return { ...base, status: "pass", variants, notes, exchanges: [{ label: evidence.attempts[0]?.label ?? "attempt", exchange: evidence.attempts[0]!.exchange }, controlEvidence] };
  const origins = [...new Set(failed.map((f) => f.attempt.origin))];
  return {
    ...base,
    status: "fail",
    reason: `Better Auth accepted state-changing calls with the session cookie from the untrusted Origin ${origins.join(", ")}; ${HINT}`,
    variants,
    failedVariants: failed.map((f) => `${f.attempt.label}: ${f.why}`),
    notes,
    exchanges: [...failed.slice(0, 3).map((f) => ({ label: `${f.attempt.label}: ${f.why}`, exchange: f.attempt.exchange })), controlEvidence],
  };
}

function codeOf(json: unknown): string | undefined {
  return json && typeof json === "object" && typeof (json as { code?: unknown }).code === "string" ? (json as { code: string }).code : undefined;
}
