import type { Exchange } from "../http/types.ts";
import type { Controls } from "./types.ts";

/**
 * Whether the controls let attacks on this operation be judged: the valid token must be let through the
 * authentication layer (a status other than 401, not a server error, not a redirect), no token must be
 * refused, and an invalid token must not get what the valid one gets where that answer is not a success (a
 * 422 for the body, say): then the token check is not reached and no attack on the operation means anything.
 */
export function controlProblem(controls: Controls): string | undefined {
  const positive = controls.positive.response;
  if (!positive) return `positive control (valid token) got no response: ${describeError(controls.positive)}`;
  if (isRedirect(positive.status)) return `positive control (valid token) was redirected (${positive.status}${locationOf(controls.positive)}): the API is not reached at this URL`;
  if (positive.status === 401) return "positive control failed: the valid token got 401, so a rejection proves nothing";
  if (positive.status >= 500) return `positive control failed: the valid token got ${positive.status}`;
  const negative = controls.negative.response;
  if (!negative) return `negative control (no token) got no response: ${describeError(controls.negative)}`;
  if (isRedirect(negative.status)) return `negative control (no token) was redirected (${negative.status}${locationOf(controls.negative)})`;
  if (negative.status === positive.status && refusedToUser(controls))
    return `the valid token is refused here too (403, as without a token): the route is not open to the audit's user, so no token attack on it can be judged`;
  if (negative.status === positive.status)
    return `controls do not discriminate: no token and a valid token both got ${positive.status}`;
  const invalid = controls.invalid?.response;
  if (controls.invalid && !invalid) return `control (an invalid token) got no response: ${describeError(controls.invalid)}`;
  if (invalid && invalid.status === positive.status && (positive.status < 200 || positive.status >= 300))
    return `inconclusive: an invalid token gets the same ${positive.status} as a valid one, so the request is refused before the token is checked (not reached)`;
  return undefined;
}

/**
 * The audit's own user is refused on this route (403 with the valid token, as without one: an admin route, say):
 * not a harness failure but nothing to judge, so the checks skip it.
 */
export function refusedToUser(controls: Controls): boolean {
  return controls.positive.response?.status === 403 && controls.negative.response?.status === 403;
}

export function describeError(exchange: Exchange): string {
  return exchange.error ? `${exchange.error.kind}: ${exchange.error.message}` : "no response";
}

function isRedirect(status: number): boolean {
  return status >= 300 && status < 400;
}

function locationOf(exchange: Exchange): string {
  const location = exchange.response?.headers.location;
  return typeof location === "string" ? ` to ${location}` : "";
}
