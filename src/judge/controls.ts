import type { Exchange } from "../http/types.ts";
import type { Controls } from "./types.ts";

/**
 * Whether the controls let attacks on this operation be judged: the valid token must be let through
 * the authentication layer (a status other than 401, and not a server error), and no token must be refused.
 */
export function controlProblem(controls: Controls): string | undefined {
  const positive = controls.positive.response;
  if (!positive) return `positive control (valid token) got no response: ${describeError(controls.positive)}`;
  if (positive.status === 401) return "positive control failed: the valid token got 401, so a rejection proves nothing";
  if (positive.status >= 500) return `positive control failed: the valid token got ${positive.status}`;
  const negative = controls.negative.response;
  if (!negative) return `negative control (no token) got no response: ${describeError(controls.negative)}`;
  if (negative.status === positive.status)
    return `controls do not discriminate: no token and a valid token both got ${positive.status}`;
  return undefined;
}

export function describeError(exchange: Exchange): string {
  return exchange.error ? `${exchange.error.kind}: ${exchange.error.message}` : "no response";
}
