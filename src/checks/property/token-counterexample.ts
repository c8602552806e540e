import { duplicatedNames, entriesJson, type RenderedToken } from "./token-spec.ts";

/**
 * The decoded header and claims of a rendered token, and the raw token and Authorization value, for a report.
 * With repeated member names the decoded parts are given as their JSON text (an object cannot show duplicates).
 */
export function counterexampleOf(rendered: RenderedToken): { header: unknown; claims: unknown; token: string; authorization: string } {
  return {
    header: duplicatedNames(rendered.headerEntries).length ? entriesJson(rendered.headerEntries) : rendered.header,
    claims: duplicatedNames(rendered.claimsEntries).length ? entriesJson(rendered.claimsEntries) : rendered.claims,
    token: rendered.token,
    authorization: `Bearer ${rendered.token}`,
  };
}
