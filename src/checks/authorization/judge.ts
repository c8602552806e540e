import { describeError } from "../../judge/controls.ts";
import type { CheckOutcome, Endpoint, LabelledExchange as Labelled } from "../../judge/types.ts";

/** How an admin operation answered a normal user. */
export type Answer =
  | { kind: "granted"; status: number }
  | { kind: "refused"; status: number }
  | { kind: "inconclusive"; status: number; why: string }
  | { kind: "no-answer"; why: string };

/** Methods whose success changes data (a normal user granted one is critical, not high). */
const SAFE = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * What one answer of an admin operation to a normal user shows. 2xx: the operation was granted. 401 / 403:
 * refused. 404: refused, unless the request named an id that does not exist (then the 404 may be the lookup,
 * after a role check that never happened). Anything else (422 for the body, 400, 409, 5xx) was decided before
 * or without a role check that can be seen: inconclusive, never a pass.
 */
export function classify(labelled: Labelled, aimedAtMissingId: boolean): Answer {
  const status = labelled.exchange.response?.status;
  if (status === undefined) return { kind: "no-answer", why: describeError(labelled.exchange) };
  if (status >= 200 && status < 300) return { kind: "granted", status };
  if (status === 401 || status === 403) return { kind: "refused", status };
  if (status === 404) {
    return aimedAtMissingId
      ? { kind: "inconclusive", status, why: "404 for an id that does not exist can be the lookup, after a role check that never happened" }
      : { kind: "refused", status };
  }
  if (status === 422) return { kind: "inconclusive", status, why: "422: the input was validated before any role check (a dependency on the route refuses first)" };
  if (status >= 500) return { kind: "inconclusive", status, why: `a server error ${status} (hygiene.server-error judges it)` };
  return { kind: "inconclusive", status, why: `${status}: decided before any role check that can be seen` };
}

function severityFor(method: string): "critical" | "high" {
  return SAFE.has(method.toUpperCase()) ? "high" : "critical";
}

/** authorization.function-level: user B, a normal user, must be refused the admin operation. */
export function judgeFunctionLevel(endpoint: Endpoint, attempt: Labelled, aimedAtMissingId: boolean, because: string): CheckOutcome {
  const base = { checkId: "authorization.function-level" as const, endpoint, exchanges: [attempt], notes: [`admin operation: ${because}`] };
  const answer = classify(attempt, aimedAtMissingId);
  switch (answer.kind) {
    case "no-answer":
      return { ...base, status: "error", reason: `no answer: ${answer.why}` };
    case "granted":
      return { ...base, status: "fail", severity: severityFor(endpoint.method), reason: `${attempt.label} got ${answer.status}: a normal user reached an admin operation` };
    case "refused":
      return { ...base, status: "pass" };
    case "inconclusive":
      return { ...base, status: "skip", reason: `inconclusive: ${answer.why}` };
  }
}

/** One raised-role token and how the operation answered it. */
export interface RaisedAttempt {
  variant: string;
  labelled: Labelled;
}

/**
 * authorization.role-claim: B's claims re-signed with a raised role must be refused like B's own token. The
 * control (B's claims re-signed unchanged) must get B's own answer: if it gets 401 where B's token does not, the
 * signing key is not trusted here and a refused raised token shows nothing.
 */
export function judgeRoleClaim(endpoint: Endpoint, baseline: Labelled, control: Labelled, raised: RaisedAttempt[], aimedAtMissingId: boolean): CheckOutcome {
  const exchanges = [...raised.map((r) => r.labelled), baseline, control];
  const base = { checkId: "authorization.role-claim" as const, endpoint, exchanges, variants: { total: raised.length, failed: 0 } };
  const own = classify(baseline, aimedAtMissingId);
  if (own.kind === "no-answer") return { ...base, status: "error", reason: `${baseline.label}: no answer (${own.why})` };
  if (own.kind === "granted")
    return { ...base, status: "skip", reason: `B's own token already gets ${own.status} here (authorization.function-level): a raised claim shows nothing more` };
  const controlStatus = control.exchange.response?.status;
  if (controlStatus === undefined) return { ...base, status: "error", reason: `${control.label}: no answer (${describeError(control.exchange)})` };
  if (controlStatus !== own.status)
    return { ...base, status: "skip", reason: `inconclusive: ${control.label} got ${controlStatus} where B's own token gets ${own.status}, so the re-signed tokens are not judged like B's` };
  const granted = raised.filter((r) => classify(r.labelled, aimedAtMissingId).kind === "granted");
  if (granted.length > 0) {
    const statuses = granted.map((r) => `${r.variant} → ${r.labelled.exchange.response?.status}`).join(", ");
    return {
      ...base,
      exchanges: [...granted.map((r) => r.labelled), baseline, control],
      variants: { total: raised.length, failed: granted.length },
      failedVariants: granted.map((r) => r.variant),
      status: "fail",
      severity: severityFor(endpoint.method),
      reason: `the role claim decides: ${statuses} where B's own token gets ${own.status}`,
    };
  }
  if (own.kind === "inconclusive") return { ...base, status: "skip", reason: `inconclusive: ${own.why}` };
  return { ...base, status: "pass" };
}

/**
 * authorization.role-assignment at sign-up: a new user that asked for an admin role must not get it. Refused
 * sign-up passes; an accepted one is judged by the new user's session read back.
 */
export function judgeRoleAtSignUp(endpoint: Endpoint, attempt: Labelled, session?: { labelled: Labelled; record: unknown }): CheckOutcome {
  const base = { checkId: "authorization.role-assignment" as const, endpoint, exchanges: [attempt, ...(session ? [session.labelled] : [])] };
  const status = attempt.exchange.response?.status;
  if (status === undefined) return { ...base, status: "error", reason: `no answer: ${describeError(attempt.exchange)}` };
  if (status < 200 || status >= 300) return { ...base, status: "pass", notes: [`${attempt.label} was refused with ${status}`] };
  const read = session?.labelled.exchange.response?.status;
  if (!session || read === undefined || read < 200 || read >= 300)
    return { ...base, status: "error", reason: `the new user's session could not be read back (${read ?? "no answer"}), so its role is unknown` };
  if (showsAdmin(session.record)) return { ...base, status: "fail", reason: `${attempt.label} got ${status} and the new user's record shows ${roleOf(session.record)}` };
  if (roleOf(session.record) === undefined) return { ...base, status: "skip", reason: "the new user's record shows no role field, so the attempt cannot be judged" };
  return { ...base, status: "pass", notes: [`${attempt.label} got ${status}; the new user shows ${roleOf(session.record)}`] };
}

/** The role a user record shows (`role`, `roles`, `is_admin`, `isAdmin`, `permissions`), as text; undefined when it shows none. */
export function roleOf(record: unknown): string | undefined {
  if (!record || typeof record !== "object" || Array.isArray(record)) return undefined;
  const fields = record as Record<string, unknown>;
  const shown = ROLE_FIELDS.filter((f) => f in fields && fields[f] !== undefined).map((f) => `${f}=${JSON.stringify(fields[f])}`);
  return shown.length > 0 ? shown.join(" ") : undefined;
}

/** Whether a user record shows an admin role (`role: "admin"` or `"user,admin"`, `roles: ["admin"]`, `is_admin: true`). */
export function showsAdmin(record: unknown): boolean {
  if (!record || typeof record !== "object" || Array.isArray(record)) return false;
  const fields = record as Record<string, unknown>;
  const names = (value: unknown): string[] =>
    typeof value === "string" ? value.split(/[,\s]+/) : Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
  if (fields.is_admin === true || fields.isAdmin === true) return true;
  return ["role", "roles", "permissions"].some((f) => names(fields[f]).some((n) => n.toLowerCase() === "admin"));
}

const ROLE_FIELDS = ["role", "roles", "is_admin", "isAdmin", "permissions"] as const;

/**
 * authorization.role-assignment: after B sent a role in a body that updates its own user, B's record read back
 * must not show the admin role it did not show before.
 */
export function judgeRoleAssignment(endpoint: Endpoint, attempt: Labelled, before: { labelled: Labelled; record: unknown }, after: { labelled: Labelled; record: unknown }): CheckOutcome {
  const base = { checkId: "authorization.role-assignment" as const, endpoint, exchanges: [attempt, before.labelled, after.labelled] };
  for (const read of [before, after]) {
    const status = read.labelled.exchange.response?.status;
    if (status === undefined || status < 200 || status >= 300)
      return { ...base, status: "error", reason: `${read.labelled.label} got ${status ?? describeError(read.labelled.exchange)}, so B's role cannot be read back` };
  }
  if (showsAdmin(before.record)) return { ...base, status: "skip", reason: `B already shows an admin role before the attempt (${roleOf(before.record)})` };
  const attemptStatus = attempt.exchange.response?.status ?? describeError(attempt.exchange);
  if (showsAdmin(after.record))
    return { ...base, status: "fail", reason: `${attempt.label} got ${attemptStatus} and B's record now shows ${roleOf(after.record)} (before: ${roleOf(before.record) ?? "no role"})` };
  if (roleOf(after.record) === undefined && roleOf(before.record) === undefined)
    return { ...base, status: "skip", reason: "B's record shows no role field before or after, so the attempt cannot be judged" };
  return { ...base, status: "pass", notes: [`${attempt.label} got ${attemptStatus}; B's record still shows ${roleOf(after.record) ?? "no role"}`] };
}
