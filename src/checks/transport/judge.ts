import { headerValues } from "../../http/headers.ts";
import type { Exchange } from "../../http/types.ts";
import { describeError } from "../../judge/controls.ts";
import { foreignDataIn, type ForeignData } from "../../judge/leaks.ts";
import type { CheckOutcome, Endpoint } from "../../judge/types.ts";

/** transport.missing-token: a request without any Authorization header must get 401. */
export function judgeMissingToken(endpoint: Endpoint, negative: Exchange): CheckOutcome {
  const base = { checkId: "transport.missing-token" as const, endpoint, exchanges: [{ label: "no Authorization header", exchange: negative }] };
  const response = negative.response;
  if (!response) return { ...base, status: "error", reason: `no answer: ${describeError(negative)}` };
  if (response.status >= 300 && response.status < 400) return { ...base, status: "error", reason: `redirected (${response.status}), so the token check was not reached` };
  if (response.status !== 401)
    return { ...base, status: "fail", reason: `a request without a token got ${response.status}; RFC 6750 §3 requires 401 with WWW-Authenticate: Bearer` };
  return { ...base, status: "pass" };
}

/** transport.challenge-header: every 401 (no token, an invalid token) carries a `WWW-Authenticate: Bearer` challenge. */
export function judgeChallengeHeader(endpoint: Endpoint, refusals: Array<{ label: string; exchange: Exchange }>): CheckOutcome {
  const base = { checkId: "transport.challenge-header" as const, endpoint, exchanges: refusals };
  const unauthorized = refusals.filter(({ exchange }) => exchange.response?.status === 401);
  if (unauthorized.length === 0) return { ...base, status: "skip", reason: "no 401 answer to judge here" };
  const bare = unauthorized.filter(({ exchange }) => !headerValues(exchange.response!.headers, "www-authenticate").some((v) => /^\s*bearer\b/i.test(v)));
  if (bare.length === 0) return { ...base, status: "pass" };
  return { ...base, status: "fail", reason: `401 without a WWW-Authenticate: Bearer challenge (${bare.map((r) => r.label).join(", ")})` };
}

const WRITE_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/** What the unprotected-route judge knows beyond the answer itself. */
export interface UnprotectedContext {
  method: string;
  /** The OpenAPI document declares a security requirement for the operation. */
  declaresSecurity: boolean;
  /** The audit users' ids and objects: data of theirs in an anonymous answer is a leak. */
  auditData: ForeignData;
  /** User A's valid token on the same request, when it was sent. */
  withToken?: Exchange;
}

/**
 * transport.unprotected-route: an operation not on the public allow-list that answers without a token is a
 * finding when it changes state, returns the audit users' data, or is documented as protected; a fixed
 * public answer is not. A write that answers without a token exactly as it does with one (404 for an id that
 * does not exist) ran its handler without authentication.
 */
export function judgeUnprotected(endpoint: Endpoint, exchange: Exchange | undefined, context: UnprotectedContext, skipped?: string): CheckOutcome {
  const base = { checkId: "transport.unprotected-route" as const, endpoint };
  const declared = context.declaresSecurity ? "the OpenAPI document declares security for it" : "the OpenAPI document declares no security for it";
  if (skipped || !exchange) return { ...base, status: "skip", reason: skipped ?? "not sent", notes: [declared] };
  const exchanges = [{ label: "no Authorization header", exchange }];
  const response = exchange.response;
  if (!response) return { ...base, exchanges, status: "error", reason: `no answer: ${describeError(exchange)}` };
  const status = response.status;
  if (status >= 300 && status < 400) return { ...base, exchanges, status: "error", reason: `redirected (${status}), so the route was not reached` };
  if (status === 401 || status === 403) return { ...base, exchanges, status: "pass" };
  if (status >= 500) return { ...base, exchanges, status: "fail", reason: `answered ${status} without any token` };
  const write = WRITE_METHODS.has(context.method);
  if (status >= 200 && status < 300) {
    const leaked = foreignDataIn(response.body, context.auditData);
    if (write) return { ...base, exchanges, status: "fail", reason: `a state-changing request without any token was accepted (${status})` };
    if (leaked) return { ...base, exchanges, status: "fail", reason: `answered ${status} without any token, with the audit users' data (${leaked})` };
    if (context.declaresSecurity) return { ...base, exchanges, status: "fail", reason: `answered ${status} without any token, though ${declared}` };
    return { ...base, exchanges, status: "pass", notes: [`answers ${status} without a token with content that names no user (${response.body.length} bytes); ${declared}`] };
  }
  const sameAsValid = context.withToken?.response?.status === status && context.withToken.response.body === response.body;
  if (write && sameAsValid)
    return { ...base, exchanges: [...exchanges, { label: "user A's valid token", exchange: context.withToken! }], status: "fail", reason: `without any token it answers exactly as with a valid one (${status}): the handler runs without authentication` };
  return { ...base, exchanges, status: "pass", notes: [`refused with ${status} rather than 401`] };
}
