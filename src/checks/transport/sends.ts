import { evidenceOf, identityOf } from "../attack/context.ts";
import type { Attack, AttackGenerator } from "../attack/types.ts";

/** `transport.scheme`: wrong or broken schemes around a valid token; a lowercase/uppercase `Bearer` must work. */
export const scheme: AttackGenerator = async (ctx) => {
  const checkId = "transport.scheme";
  const valid = ctx.realToken;
  const token = evidenceOf(valid);
  const reject = (variant: string, authorization: string | string[], note?: string): Attack => ({
    checkId,
    variant,
    authorization,
    expect: "reject",
    token,
    ...(note ? { note } : {}),
  });
  const identity = identityOf(ctx);
  return [
    reject("Basic <valid token>", `Basic ${valid}`),
    reject("Token <valid token>", `Token ${valid}`),
    reject("JWT <valid token>", `JWT ${valid}`),
    reject("no scheme, bare valid token", valid),
    reject("Basic x", "Basic x"),
    reject("Token x", "Token x"),
    reject("Bearer (no credentials)", "Bearer"),
    reject("Bearer + spaces", "Bearer    "),
    reject("Bearer a b", "Bearer a b"),
    reject("two headers: invalid then valid", ["Bearer x", `Bearer ${valid}`], "ambiguous credentials must be refused"),
    reject("two headers: valid then invalid", [`Bearer ${valid}`, "Bearer x"], "ambiguous credentials must be refused"),
    { checkId, variant: "bearer <valid token> (lowercase scheme)", authorization: `bearer ${valid}`, expect: "accept", identity, token, note: "the scheme is case-insensitive (RFC 7235 §2.1)" },
    { checkId, variant: "BEARER <valid token> (uppercase scheme)", authorization: `BEARER ${valid}`, expect: "accept", identity, token, note: "the scheme is case-insensitive (RFC 7235 §2.1)" },
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
 * `transport.identity-override`: the victim's valid token plus headers naming the test user; the target must
 * act as the victim. Empty without a victim.
 */
export const identityOverride: AttackGenerator = async (ctx) => {
  const { victim } = ctx;
  if (!victim) return [];
  const claimed = identityOf(ctx);
  const attack = (variant: string, headers: Record<string, string>): Attack => ({
    checkId: "transport.identity-override",
    variant,
    authorization: `Bearer ${victim.token}`,
    headers,
    expect: "accept",
    identity: victim.id,
    token: evidenceOf(victim.token),
    note: "the token's identity wins over any identity header",
  });
  return [
    ...IDENTITY_HEADERS.map((name) => attack(`${name}: <test user id>`, { [name]: claimed })),
    attack("all identity headers", Object.fromEntries(IDENTITY_HEADERS.map((name) => [name, claimed]))),
  ];
};
