import type { CheckId } from "../../catalogue/checks.ts";
import { bearerAttack, deterministicTag, expectedAudience, expectedIssuer, identityOf, lifetimeSec, oracleHeader, validClaims } from "../attack/context.ts";
import type { Severity } from "../../catalogue/types.ts";
import type { Attack, AttackContext, AttackGenerator } from "../attack/types.ts";
import type { Impact } from "../types.ts";
import { mergeObject } from "../../forge/index.ts";
import { attackCheck, type AttackCheck } from "../attack/record.ts";

const ATTACKER_ORIGIN = "https://attacker.invalid";

/** Oracle-sign the valid claims with `changes` applied (`undefined` removes a claim); [] without an oracle. */
async function oracleAttacks(
  ctx: AttackContext,
  checkId: CheckId,
  cases: Array<[variant: string, changes: Record<string, unknown>, as?: VariantMeaning]>,
): Promise<Attack[]> {
  const signer = ctx.signer;
  if (!signer) return [];
  const header = oracleHeader(ctx);
  const base = validClaims(ctx);
  const attacks: Attack[] = [];
  for (const [variant, changes, as = {}] of cases) {
    const attack = bearerAttack(checkId, variant, await signer.sign(header, mergeObject(base, changes)), as.note);
    attacks.push({ ...attack, ...(as.impact ? { impact: as.impact } : {}), ...(as.severity ? { severity: as.severity } : {}) });
  }
  return attacks;
}

/** What accepting one claims variant means, when it is not the check's default. */
interface VariantMeaning {
  note?: string;
  impact?: Impact;
  severity?: Severity;
}

/** The same NumericDate spelled differently, or a far-future one: only the key holder can mint it. */
const LENIENT: VariantMeaning = { impact: "leniency" };

/** How far past the leeway time attacks go (at least 10 min). */
function beyondLeeway(ctx: AttackContext): number {
  return Math.max(600, ctx.expected.leewaySec + 300);
}

/**
 * The oracle-signed valid token (valid claims, oracle header): the positive control that shows the oracle's
 * tokens are accepted at all, so that a rejected claims attack means something. `undefined` without an oracle.
 */
export async function oracleControl(ctx: AttackContext): Promise<{ token: string; identity: string } | undefined> {
  if (!ctx.signer) return undefined;
  return { token: await ctx.signer.sign(oracleHeader(ctx), validClaims(ctx)), identity: identityOf(ctx) };
}

/** `claims.exp-expired` (oracle): exp beyond the leeway in the past. */
export const expExpired: AttackGenerator = async (ctx) => {
  const life = lifetimeSec(ctx);
  const ago = beyondLeeway(ctx);
  return oracleAttacks(ctx, "claims.exp-expired", [
    [`exp=now-${ago}s`, { exp: ctx.nowSec - ago, iat: ctx.nowSec - ago - life }],
    ["exp=now-1d", { exp: ctx.nowSec - 86_400, iat: ctx.nowSec - 86_400 - life }],
  ]);
};

/** `claims.exp-missing` (oracle): no exp. */
export const expMissing: AttackGenerator = async (ctx) => oracleAttacks(ctx, "claims.exp-missing", [["exp missing", { exp: undefined }]]);

/** `claims.exp-invalid` (oracle): exp that is not a NumericDate, or absurd. */
export const expInvalid: AttackGenerator = async (ctx) => {
  const later = ctx.nowSec + lifetimeSec(ctx);
  return oracleAttacks(ctx, "claims.exp-invalid", [
    ["exp as a numeric string", { exp: String(later) }, { ...LENIENT, note: "NumericDate is a JSON number (RFC 7519 §2)" }],
    ["exp as a non-numeric string", { exp: "never" }],
    ["exp=null", { exp: null }],
    ["exp=true", { exp: true }],
    ["exp as an object", { exp: { value: later } }],
    ["exp as an array", { exp: [later] }],
    ["exp negative", { exp: -1 }, { severity: "high", note: "a NumericDate in 1969: an expired token" }],
    ["exp huge (1e300)", { exp: 1e300 }, { ...LENIENT, note: "a far-future exp makes the token effectively eternal; only the key holder can mint it" }],
  ]);
};

/** `claims.nbf-future` (oracle): nbf beyond the leeway in the future (exp still after nbf). */
export const nbfFuture: AttackGenerator = async (ctx) => {
  const life = lifetimeSec(ctx);
  const ahead = beyondLeeway(ctx);
  return oracleAttacks(ctx, "claims.nbf-future", [
    [`nbf=now+${ahead}s`, { nbf: ctx.nowSec + ahead, exp: ctx.nowSec + ahead + life }],
    ["nbf=now+1d", { nbf: ctx.nowSec + 86_400, exp: ctx.nowSec + 86_400 + life }],
  ]);
};

/** Variations of an expected string value that must not match it. */
function nearMisses(expected: string): Array<[string, string]> {
  const misses: Array<[string, string]> = [
    ["prefix (last character dropped)", expected.slice(0, -1)],
    ["prefix (first half)", expected.slice(0, Math.ceil(expected.length / 2))],
    ["suffix (first character dropped)", expected.slice(1)],
    ["superstring (trailing slash)", `${expected}/`],
    ["superstring (attacker suffix)", `${expected}.attacker.invalid`],
    ["upper case", expected.toUpperCase()],
  ];
  const seen = new Set([expected]);
  return misses.filter(([, value]) => value !== "" && !seen.has(value) && seen.add(value));
}

/**
 * `claims.iss` (oracle): wrong, missing, empty, null, near-miss and array issuers. Without an expected issuer
 * (none configured, none in the real tokens) acceptance of any issuer is still reported, at low.
 */
export const iss: AttackGenerator = async (ctx) => {
  const expected = expectedIssuer(ctx);
  const unexpected: VariantMeaning = expected === undefined ? { severity: "low", note: "no issuer is expected: none is configured and the real tokens carry none" } : {};
  const cases: Array<[string, Record<string, unknown>, VariantMeaning?]> = [
    ["iss wrong", { iss: ATTACKER_ORIGIN }, unexpected],
    ["iss missing", { iss: undefined }, unexpected],
  ];
  if (expected !== undefined) {
    cases.push(["iss empty string", { iss: "" }], ["iss=null", { iss: null }]);
    for (const [label, value] of nearMisses(expected)) cases.push([`iss ${label}`, { iss: value }, { note: "CVE-2024-53861: partial issuer match" }]);
    cases.push(["iss array [expected]", { iss: [expected] }], ["iss array [wrong, expected]", { iss: [ATTACKER_ORIGIN, expected] }]);
  }
  return oracleAttacks(ctx, "claims.iss", cases);
};

/**
 * `claims.aud` (oracle): wrong, missing, empty, null, near-miss audiences and arrays without the expected one.
 * Never high: accepting a foreign audience matters when the verifying key also signs for other apps (a JWKS
 * issuer that serves several: medium); with a shared secret the secret itself is the audience (low), and so it
 * is when no audience is expected at all.
 */
export const aud: AttackGenerator = async (ctx) => {
  const expected = expectedAudience(ctx);
  const severity = expected !== undefined && ctx.publicJwks.length > 0 ? "medium" : "low";
  const as: VariantMeaning = { severity };
  const cases: Array<[string, Record<string, unknown>, VariantMeaning?]> = [
    ["aud wrong", { aud: ATTACKER_ORIGIN }, as],
    ["aud missing", { aud: undefined }, as],
    ["aud array without the expected", { aud: [ATTACKER_ORIGIN] }, as],
  ];
  if (expected !== undefined) {
    cases.push(["aud empty string", { aud: "" }, as], ["aud=null", { aud: null }, as], ["aud empty array", { aud: [] }, as]);
    for (const [label, value] of nearMisses(expected)) cases.push([`aud ${label}`, { aud: value }, as]);
    cases.push(["aud array of near misses", { aud: nearMisses(expected).map(([, value]) => value) }, as]);
  }
  return oracleAttacks(ctx, "claims.aud", cases);
};

/**
 * `claims.sub` (oracle): identity claim missing or not a string (high: the caller has no identity, or one of
 * another type), or a string that names no user (empty, blank, unknown): info unless
 * `claims.requireKnownSubject` says subjects must be known users. Only the key holder can mint such a token,
 * Better Auth never does, and PyJWT used as documented checks the claim's presence and type only.
 */
export const sub: AttackGenerator = async (ctx) => {
  const claim = ctx.expected.identityClaim;
  const id = identityOf(ctx);
  const unknown = `authproof-unknown-${deterministicTag(`unknown:${id}`)}`;
  const noSuchUser: VariantMeaning = ctx.expected.requireKnownSubject ? {} : { severity: "info", note: "a subject that names no user (claims.requireKnownSubject makes this high)" };
  return oracleAttacks(ctx, "claims.sub", [
    [`${claim} missing`, { [claim]: undefined }],
    [`${claim} empty string`, { [claim]: "" }, noSuchUser],
    [`${claim} whitespace`, { [claim]: " " }, noSuchUser],
    [`${claim}=null`, { [claim]: null }],
    [`${claim} number`, { [claim]: /^\d+$/.test(id) && id.length < 16 ? Number(id) : 12345 }],
    [`${claim}=true`, { [claim]: true }],
    [`${claim} object`, { [claim]: { id } }],
    [`${claim} array [id]`, { [claim]: [id] }],
    [`${claim} unknown user`, { [claim]: unknown }, noSuchUser],
  ]);
};

/** The claims checks: validly signed tokens (an oracle signs them) that must still be refused. */
export const claimsAttackChecks: AttackCheck[] = [
  attackCheck({ id: "claims.exp-expired", needs: { oracle: true }, generate: expExpired }),
  attackCheck({ id: "claims.exp-missing", needs: { oracle: true }, generate: expMissing }),
  attackCheck({ id: "claims.exp-invalid", needs: { oracle: true }, crashIsFailure: true, generate: expInvalid }),
  attackCheck({ id: "claims.nbf-future", needs: { oracle: true }, generate: nbfFuture }),
  attackCheck({ id: "claims.iss", needs: { oracle: true }, generate: iss }),
  attackCheck({ id: "claims.aud", needs: { oracle: true }, generate: aud }),
  attackCheck({ id: "claims.sub", needs: { oracle: true }, generate: sub }),
];
