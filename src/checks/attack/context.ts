import { createHash } from "node:crypto";
import { decodeToken, fromBase64url } from "../../forge/index.ts";
import type { Attack, AttackContext } from "./types.ts";
import type { CheckId } from "../../catalogue/checks.ts";

/** Lifetime used when the real token carries no `iat`/`exp` pair (Better Auth's default, 15 min). */
const DEFAULT_LIFETIME_SEC = 900;

/** A decoded header of the real token. */
export function realHeader(ctx: AttackContext): Record<string, unknown> {
  return decodeToken(ctx.realToken).header;
}

/** The real token's alg (`undefined` if it has none). */
export function realAlg(ctx: AttackContext): string | undefined {
  const alg = realHeader(ctx).alg;
  return typeof alg === "string" ? alg : undefined;
}

/** The test user's identity (the identity claim of the real token, as a string). */
export function identityOf(ctx: AttackContext): string {
  const value = ctx.realClaims[ctx.expected.identityClaim];
  return typeof value === "string" ? value : JSON.stringify(value ?? null);
}

/** `exp − iat` of the real token, or 15 min. */
export function lifetimeSec(ctx: AttackContext): number {
  const { iat, exp } = ctx.realClaims;
  return typeof iat === "number" && typeof exp === "number" && exp > iat ? exp - iat : DEFAULT_LIFETIME_SEC;
}

/** The real claims with the time claims it has moved to `nowSec` (iat = now, exp = now + lifetime, nbf = now). */
export function freshClaims(ctx: AttackContext): Record<string, unknown> {
  const claims = { ...ctx.realClaims };
  if ("iat" in claims) claims.iat = ctx.nowSec;
  if ("nbf" in claims) claims.nbf = ctx.nowSec;
  if ("exp" in claims) claims.exp = ctx.nowSec + lifetimeSec(ctx);
  return claims;
}

/** The expected issuer: configured, else what the real token carries. */
export function expectedIssuer(ctx: AttackContext): string | undefined {
  if (ctx.expected.issuer !== undefined) return ctx.expected.issuer;
  return typeof ctx.realClaims.iss === "string" ? ctx.realClaims.iss : undefined;
}

/** The expected audience: configured, else the real token's (first) audience. */
export function expectedAudience(ctx: AttackContext): string | undefined {
  if (ctx.expected.audience !== undefined) return ctx.expected.audience;
  const { aud } = ctx.realClaims;
  if (typeof aud === "string") return aud;
  if (Array.isArray(aud) && typeof aud[0] === "string") return aud[0];
  return undefined;
}

/**
 * Claims the oracle signs as a valid token: fresh times (iat = now, exp = now + lifetime even when the real
 * token had none) and the expected iss/aud. Attacks change exactly one property of these.
 */
export function validClaims(ctx: AttackContext): Record<string, unknown> {
  const claims = freshClaims(ctx);
  claims.iat = ctx.nowSec;
  claims.exp = ctx.nowSec + lifetimeSec(ctx);
  const iss = expectedIssuer(ctx);
  if (iss !== undefined) claims.iss = iss;
  if (ctx.expected.audience !== undefined) claims.aud = ctx.expected.audience;
  return claims;
}

/** The header for oracle-signed tokens: the real header without alg (the signer sets it) and kid (unless the signer has none). */
export function oracleHeader(ctx: AttackContext): Record<string, unknown> {
  const { alg: _alg, kid, ...rest } = realHeader(ctx);
  return ctx.signer?.kid === undefined && kid !== undefined ? { ...rest, kid } : rest;
}

/** A short deterministic hex tag derived from `material` (stands in for randomness). */
export function deterministicTag(material: string, length = 16): string {
  return createHash("sha256").update(material).digest("hex").slice(0, length);
}

/** Best-effort decode of any token text for evidence: parsed JSON where possible, raw segment text otherwise. */
export function evidenceOf(token: string): { header: unknown; claims: unknown } {
  const [header = "", payload = ""] = token.split(".");
  const parse = (segment: string): unknown => {
    try {
      return JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(fromBase64url(segment)));
    } catch {
      return segment.length > 200 ? `${segment.slice(0, 200)}… (${segment.length} chars, not JSON)` : segment;
    }
  };
  return { header: parse(header), claims: parse(payload) };
}

/** A reject-expected attack sending `Bearer <token>`. */
export function bearerAttack(checkId: CheckId, variant: string, token: string, note?: string): Attack {
  const attack: Attack = {
    checkId,
    variant,
    authorization: `Bearer ${token}`,
    expect: "reject",
    token: evidenceOf(token),
  };
  if (note !== undefined) attack.note = note;
  return attack;
}
