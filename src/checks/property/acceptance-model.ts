import { severityRank, type Severity } from "../../catalogue/types.ts";
import type { TargetModel } from "../../model/target.ts";
import type { RawSigner } from "../../forge/raw.ts";
import { duplicatedNames, type RenderedToken } from "./token-spec.ts";

/*
 * What the target must accept, derived from the configuration alone: a token is accepted exactly when it
 * is signed by a trusted key under that key's algorithm, carries no critical extension, is within its
 * validity window (with the configured leeway), names the expected issuer and audience, and identifies a
 * user that exists. The model is three-valued: near a boundary, or where RFCs let verifiers choose
 * (duplicate members, coercible types, arrays for aud, encoding-only signature changes, reserved header
 * parameters), it says "either" and the properties do not test that token.
 */

export type Verdict = "accept" | "reject" | "either";

export interface ModelJudgement {
  verdict: Verdict;
  /** Why the token must be rejected (verdict reject), or why the model does not decide (verdict either). */
  reasons: string[];
  /** For a reject verdict: what accepting the token would mean, by its worst reason (forgery critical, …). */
  severity?: Severity;
}

export interface AcceptanceModel {
  /** Algorithms of the keys the target trusts (the oracle's, the JWKS's, the real tokens'). */
  trustedAlgs: string[];
  /** The signing oracle's algorithm and kid, when there is an oracle. */
  oracle?: { alg: string; kid?: string };
  issuer?: string;
  audience?: string;
  identityClaim: string;
  /** Ids of users that exist. */
  subjects: string[];
  /** Whether a subject that names no known user must be refused (otherwise the model does not decide). */
  requireKnownSubject: boolean;
  /** What accepting a foreign audience means: medium when the key serves other apps (a JWKS), low otherwise. */
  audienceSeverity: Severity;
  leewaySec: number;
  /** Distance from a time boundary within which the model does not decide (clock skew, request latency). */
  marginSec: number;
  /** Longer tokens may be refused by HTTP layers before the verifier sees them. */
  maxTokenLength: number;
  /** The real tokens, by user label: their signatures are trusted over their own signing input only. */
  realTokens: Record<string, { token: string; header: Record<string, unknown> }>;
}

/** Header parameters whose meaning a verifier may act on (a change there is not "an arbitrary extra field"). */
export const RESERVED_HEADER = new Set([
  "alg", "kid", "typ", "cty", "crit", "jku", "jwk", "x5u", "x5c", "x5t", "x5t#S256", "b64", "zip", "enc", "epk", "apu", "apv", "iv", "tag", "p2s", "p2c", "ppt", "url", "nonce",
]);

/** Registered claims (RFC 7519 §4.1): never "arbitrary extra claims". */
export const REGISTERED_CLAIMS = new Set(["iss", "sub", "aud", "exp", "nbf", "iat", "jti"]);

export const DEFAULT_MARGIN_SEC = 5;
export const DEFAULT_MAX_TOKEN_LENGTH = 6000;

/** The acceptance model of an audited target. */
export function acceptanceModelFor(model: TargetModel, oracle: RawSigner | undefined): AcceptanceModel {
  const algs = new Set<string>();
  if (oracle) algs.add(oracle.alg);
  for (const jwk of model.publicJwks) if (typeof (jwk as { alg?: unknown }).alg === "string") algs.add((jwk as { alg: string }).alg);
  for (const user of model.users) if (typeof user.header.alg === "string") algs.add(user.header.alg);
  return {
    trustedAlgs: [...algs],
    ...(oracle ? { oracle: { alg: oracle.alg, ...(oracle.kid !== undefined ? { kid: oracle.kid } : {}) } } : {}),
    ...(model.expected.issuer !== undefined ? { issuer: model.expected.issuer } : {}),
    ...(model.expected.audience !== undefined ? { audience: model.expected.audience } : {}),
    identityClaim: model.expected.identityClaim,
    subjects: model.users.map((user) => user.userId),
    requireKnownSubject: model.expected.requireKnownSubject === true,
    audienceSeverity: model.publicJwks.length > 0 ? "medium" : "low",
    leewaySec: model.expected.leewaySec,
    marginSec: DEFAULT_MARGIN_SEC,
    maxTokenLength: DEFAULT_MAX_TOKEN_LENGTH,
    realTokens: Object.fromEntries(model.users.map((user) => [user.label, { token: user.token, header: user.header }])),
  };
}

/**
 * Judges a rendered token against the model at time `nowSec`.
 * @example judgeToken(am, renderToken(spec, env), nowSec).verdict // "reject"
 */
export function judgeToken(am: AcceptanceModel, rendered: RenderedToken, nowSec: number): ModelJudgement {
  const reasons: Array<[reason: string, severity: Severity]> = [];
  const reject = { push: (reason: string, severity: Severity = "critical") => reasons.push([reason, severity]) };
  const doubt: string[] = [];

  const onWire = rendered.token.replace(/^[ \t]+|[ \t]+$/g, "");
  if (onWire !== rendered.unmutated) {
    if (!sameSignatureLeniently(onWire, rendered.unmutated)) return { verdict: "reject", reasons: ["bytes changed after signing"], severity: "critical" };
    doubt.push("only the encoding of the signature changed (judged by token.signature-invalid)");
  }
  if (rendered.token.length > am.maxTokenLength) doubt.push(`token longer than ${am.maxTokenLength} characters`);

  const { header, claims } = rendered;
  const signingAlg = trustedSigningAlg(am, rendered);
  if (signingAlg === undefined) reject.push("not signed by a trusted key");

  const alg = header.alg;
  if (!("alg" in header)) reject.push("no alg");
  else if (typeof alg !== "string") reject.push(`alg is ${JSON.stringify(alg)}, not a string`);
  else if (!am.trustedAlgs.includes(alg)) reject.push(`alg ${JSON.stringify(alg)} is not an algorithm of a trusted key`);
  else if (signingAlg !== undefined && alg !== signingAlg) reject.push(`alg ${alg} is not the signing key's ${signingAlg}`);
  if ("crit" in header) reject.push("crit names extensions the verifier does not understand", "medium");
  const baseHeader = am.realTokens[rendered.spec.base]?.header ?? {};
  const expectedKid = rendered.spec.signature.kind === "oracle" ? am.oracle?.kid : baseHeader.kid;
  for (const name of Object.keys(header)) {
    if (name === "alg" || name === "crit" || !RESERVED_HEADER.has(name)) continue;
    const expected = name === "kid" ? expectedKid : baseHeader[name];
    if (JSON.stringify(header[name]) !== JSON.stringify(expected)) doubt.push(`header ${name} differs from the issuer's`);
  }
  if (expectedKid !== undefined && !("kid" in header)) doubt.push("no kid");
  for (const name of duplicatedNames(rendered.headerEntries)) doubt.push(`header member ${name} repeated`);

  for (const name of ["exp", "nbf", "iat"]) judgeTime(am, name, claims, nowSec, reject, doubt);
  if (am.issuer !== undefined && claims.iss !== am.issuer) reject.push(`iss is ${short(claims.iss)}, not the expected issuer`, "high");
  if (am.audience !== undefined && claims.aud !== am.audience) {
    if (Array.isArray(claims.aud) && claims.aud.includes(am.audience)) doubt.push("aud is an array containing the audience");
    else reject.push(`aud is ${short(claims.aud)}, not the expected audience`, am.audienceSeverity);
  }
  const identity = claims[am.identityClaim];
  if (!(am.identityClaim in claims)) reject.push(`no ${am.identityClaim}`, "high");
  else if (typeof identity !== "string") reject.push(`${am.identityClaim} is ${short(identity)}, not a string`, "high");
  else if (!am.subjects.includes(identity)) {
    // Only the key holder can mint a token for a user that does not exist: a finding only when subjects must be known.
    if (am.requireKnownSubject) reject.push(`${am.identityClaim} is ${short(identity)}, not a known user`, "high");
    else doubt.push(`${am.identityClaim} names no known user (claims.requireKnownSubject is off)`);
  }
  for (const name of duplicatedNames(rendered.claimsEntries)) doubt.push(`claim ${name} repeated`);

  if (reasons.length > 0) {
    const worst = [...reasons].sort((a, b) => severityRank(b[1]) - severityRank(a[1]))[0]![1];
    return { verdict: "reject", reasons: reasons.map(([reason]) => reason), severity: worst };
  }
  if (doubt.length > 0) return { verdict: "either", reasons: doubt };
  return { verdict: "accept", reasons: [] };
}

/** The algorithm of the trusted key that made the signature, or `undefined` when no trusted key did. */
function trustedSigningAlg(am: AcceptanceModel, rendered: RenderedToken): string | undefined {
  const sig = rendered.spec.signature;
  if (sig.kind === "oracle") return am.oracle?.alg;
  if (sig.kind !== "original") return undefined;
  const real = am.realTokens[rendered.spec.base];
  if (!real) return undefined;
  const input = (token: string) => token.slice(0, token.lastIndexOf("."));
  return input(real.token) === input(rendered.unmutated) && typeof real.header.alg === "string" ? real.header.alg : undefined;
}

function judgeTime(
  am: AcceptanceModel,
  name: string,
  claims: Record<string, unknown>,
  nowSec: number,
  reject: { push(reason: string, severity?: Severity): void },
  doubt: string[],
): void {
  const present = name in claims;
  const value = claims[name];
  if (!present) {
    if (name === "exp") reject.push("no exp", "high");
    else if (name === "iat") doubt.push("no iat");
    return;
  }
  if (typeof value !== "number") {
    // Booleans and integer-like strings are coerced by some libraries (Python's int()); claims.exp-invalid reports them.
    if (typeof value === "boolean" || (typeof value === "string" && /^\s*[+-]?\d[\d_]*\s*$/.test(value))) doubt.push(`${name} is ${short(value)}, not a JSON number`);
    else if (name === "iat") doubt.push(`iat is ${short(value)}`);
    else reject.push(`${name} is ${short(value)}, not a NumericDate`, "medium");
    return;
  }
  const { leewaySec: leeway, marginSec: margin } = am;
  if (name === "exp") {
    if (value < nowSec - leeway - margin) reject.push(`expired (exp = now${signed(value - nowSec)})`, "high");
    else if (value < nowSec + margin) doubt.push("exp within the leeway");
  } else if (name === "nbf") {
    if (value > nowSec + leeway + margin) reject.push(`not yet valid (nbf = now${signed(value - nowSec)})`, "medium");
    else if (value > nowSec - margin) doubt.push("nbf within the leeway");
  } else if (value > nowSec - margin) doubt.push("iat in the future or within the leeway");
}

const B64_VALUE = new Map([..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"].map((c, i) => [c, i] as const));
B64_VALUE.set("+", 62);
B64_VALUE.set("/", 63);

/**
 * The signature bytes as the most lenient base64 decoder sees them: characters outside both alphabets
 * (padding, whitespace, anything else) skipped, unused trailing bits ignored.
 */
export function lenientBase64Bytes(segment: string): number[] {
  const bytes: number[] = [];
  let buffer = 0;
  let bits = 0;
  for (const char of segment) {
    const value = B64_VALUE.get(char);
    if (value === undefined) continue;
    buffer = ((buffer << 6) | value) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes.push((buffer >> bits) & 0xff);
    }
  }
  return bytes;
}

/** Same signing input and, leniently decoded, the same signature bytes. */
export function sameSignatureLeniently(token: string, original: string): boolean {
  const a = token.split(".");
  const b = original.split(".");
  if (a.length !== 3 || b.length !== 3 || a[0] !== b[0] || a[1] !== b[1]) return false;
  return lenientBase64Bytes(a[2]!).join(",") === lenientBase64Bytes(b[2]!).join(",");
}

function short(value: unknown): string {
  const text = JSON.stringify(value) ?? "undefined";
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

function signed(n: number): string {
  return n >= 0 ? `+${n}` : String(n);
}
