import { evidenceOf, identityOf } from "../attack/context.ts";
import type { Attack, AttackGenerator } from "../attack/types.ts";

/** `transport.scheme`: wrong or broken schemes around a valid token; a lowercase/uppercase `Bearer` must work. */
export const scheme: AttackGenerator = async (ctx) => {
  const checkId = "transport.scheme";
  const valid = ctx.realToken;
  const token = evidenceOf(valid);
  // Accepting no credential at all is a forgery; the valid token under another scheme or beside a second
  // header is leniency (the key is still needed), and so is refusing a valid token for the scheme's case.
  const reject = (variant: string, authorization: string | string[], impact: "forgery" | "leniency", note?: string): Attack => ({
    checkId,
    variant,
    authorization,
    expect: "reject",
    impact,
    token,
    ...(note ? { note } : {}),
  });
  const identity = identityOf(ctx);
  const accept = (variant: string, authorization: string): Attack => ({
    checkId,
    variant,
    authorization,
    expect: "accept",
    identity,
    impact: "leniency",
    token,
    note: "the scheme is case-insensitive (RFC 7235 §2.1)",
  });
  return [
    reject("Basic <valid token>", `Basic ${valid}`, "leniency"),
    reject("Token <valid token>", `Token ${valid}`, "leniency"),
    reject("JWT <valid token>", `JWT ${valid}`, "leniency"),
    reject("no scheme, bare valid token", valid, "leniency"),
    reject("Basic x", "Basic x", "forgery"),
    reject("Token x", "Token x", "forgery"),
    reject("Bearer (no credentials)", "Bearer", "forgery"),
    reject("Bearer + spaces", "Bearer    ", "forgery"),
    reject("Bearer a b", "Bearer a b", "forgery"),
    reject("two headers: invalid then valid", ["Bearer x", `Bearer ${valid}`], "leniency", "ambiguous credentials should be refused"),
    reject("two headers: valid then invalid", [`Bearer ${valid}`, "Bearer x"], "leniency", "ambiguous credentials should be refused"),
    accept("bearer <valid token> (lowercase scheme)", `bearer ${valid}`),
    accept("BEARER <valid token> (uppercase scheme)", `BEARER ${valid}`),
  ];
};

/** `transport.token-in-query`: a valid token only in the query string must be ignored. */
export const tokenInQuery: AttackGenerator = async (ctx) =>
  ["access_token", "token", "jwt", "auth"].map((name) => ({
    checkId: "transport.token-in-query",
    variant: `?${name}=<valid token>`,
    authorization: null,
    query: { [name]: ctx.realToken },
    expect: "reject" as const,
    token: evidenceOf(ctx.realToken),
  }));

/** Headers that proxies or shortcuts use to carry a user id. */
const IDENTITY_HEADERS = ["X-User-Id", "X-Forwarded-User", "X-Remote-User", "X-Auth-Request-User", "X-User"];

/**
 * `transport.identity-override`: identity headers naming the test user (A) must not choose the caller. Sent with
 * the victim's (B's) valid token, where the answer must be what B's own token gets, on the probe's request and,
 * on routes with a user path parameter, on B's own path; and with no token at all, where it must be refused.
 */
export const identityOverride: AttackGenerator = async (ctx, probe) => {
  const { victim } = ctx;
  if (!victim) return [];
  const claimed = identityOf(ctx);
  const headerSets: Array<[string, Record<string, string>]> = [
    ...IDENTITY_HEADERS.map((name): [string, Record<string, string>] => [`${name}: <test user id>`, { [name]: claimed }]),
    ["all identity headers", Object.fromEntries(IDENTITY_HEADERS.map((name) => [name, claimed]))],
  ];
  const asVictim = (where: string, headers: Record<string, string>, url?: string): Attack => ({
    checkId: "transport.identity-override",
    variant: `victim's token, ${where}`,
    authorization: `Bearer ${victim.token}`,
    headers,
    ...(url ? { url } : {}),
    expect: "as-victim",
    impact: "forgery",
    token: evidenceOf(victim.token),
    note: "the token's identity wins over any identity header",
  });
  const attacks: Attack[] = headerSets.map(([label, headers]) => asVictim(`${label}`, headers));
  if (probe?.victimUrl) attacks.push(...headerSets.map(([label, headers]) => asVictim(`${label}, on the victim's own path`, headers, probe.victimUrl)));
  attacks.push({
    checkId: "transport.identity-override",
    variant: "no token, all identity headers",
    authorization: null,
    headers: headerSets.at(-1)![1],
    expect: "reject",
    impact: "forgery",
    note: "identity headers alone never authenticate",
  });
  return attacks;
};
