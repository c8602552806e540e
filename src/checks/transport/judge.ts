import type { Exchange } from "../../http/types.ts";
import { describeError } from "../../judge/controls.ts";
import type { CheckOutcome } from "../../judge/types.ts";

type Endpoint = NonNullable<CheckOutcome["endpoint"]>;

/** transport.missing-token: no Authorization header must get 401 with a Bearer challenge. */
export function judgeMissingToken(endpoint: Endpoint, negative: Exchange): CheckOutcome {
  const base = { checkId: "transport.missing-token" as const, endpoint, exchanges: [{ label: "no Authorization header", exchange: negative }] };
  const response = negative.response;
  if (!response) return { ...base, status: "error", reason: `no answer: ${describeError(negative)}` };
  const challenge = headerValues(response.headers, "www-authenticate");
  if (response.status !== 401)
    return { ...base, status: "fail", reason: `a request without a token got ${response.status}${challenge.length ? "" : " without WWW-Authenticate"}; RFC 6750 §3 requires 401 with WWW-Authenticate: Bearer` };
  if (!challenge.some((value) => /^\s*bearer\b/i.test(value)))
    return { ...base, status: "fail", reason: "401 without a WWW-Authenticate: Bearer challenge" };
  return { ...base, status: "pass" };
}

/**
 * transport.unprotected-route: an operation that is not on the public allow-list must not answer a
 * request without a token with data (2xx). Other refusals pass, with a note when they are not 401.
 */
export function judgeUnprotected(endpoint: Endpoint, exchange: Exchange): CheckOutcome {
  const base = { checkId: "transport.unprotected-route" as const, endpoint, exchanges: [{ label: "no Authorization header", exchange }] };
  const response = exchange.response;
  if (!response) return { ...base, status: "error", reason: `no answer: ${describeError(exchange)}` };
  if (response.status >= 200 && response.status < 300)
    return { ...base, status: "fail", reason: `answered ${response.status} without any token (${response.body.length} bytes of body)` };
  if (response.status >= 500) return { ...base, status: "fail", reason: `answered ${response.status} without any token` };
  if (response.status === 401 || response.status === 403) return { ...base, status: "pass" };
  return { ...base, status: "pass", notes: [`refused with ${response.status} rather than 401`] };
}

export function headerValues(headers: Record<string, string | string[]>, name: string): string[] {
  const value = headers[name];
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}
